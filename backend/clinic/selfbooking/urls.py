from __future__ import annotations

from django.urls import path

from . import views

app_name = "selfbooking"

urlpatterns = [
    # A short path: the link in a text is PUBLIC_BASE_URL + /b/<token>/.
    path("<str:token>/", views.choose, name="choose"),
]
