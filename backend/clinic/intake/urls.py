from __future__ import annotations

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.contact, name="contact"),
    path("thanks/", views.contact_thanks, name="contact-thanks"),
]
