from __future__ import annotations

from django.urls import path

from . import views

app_name = "visitlinks"

# /v/<token>: short, because it is sent in texts where every character counts.
urlpatterns = [
    path("<str:token>", views.visit, name="visit"),
    path("<str:token>/times", views.times, name="times"),
    path("<str:token>/confirm", views.confirm, name="confirm"),
    path("<str:token>/cancel", views.cancel, name="cancel"),
    path("<str:token>/move", views.move, name="move"),
    path("<str:token>/call", views.call_back, name="call"),
    path("<str:token>/earlier", views.earlier, name="earlier"),
]
