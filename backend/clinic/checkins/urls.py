from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .api import AlertViewSet, PatientScoresView

# Plain paths with int ids (rather than a router's regexes), like the other apps' API modules.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("alerts/", AlertViewSet.as_view({"get": "list"}), name="alert-list"),
    path("alerts/<int:pk>/", AlertViewSet.as_view({"get": "retrieve"}), name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", AlertViewSet.as_view({"post": "acknowledge"}), name="alert-acknowledge"),
    path(
        "alerts/<int:pk>/resume-checkins/",
        AlertViewSet.as_view({"post": "resume_checkins"}),
        name="alert-resume-checkins",
    ),
    path("patients/<int:patient_id>/scores/", PatientScoresView.as_view(), name="patient-scores"),
]
