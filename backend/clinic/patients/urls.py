from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .api import PatientViewSet

# Plain paths rather than a router: `<int:patient_id>` keeps clear of /patients/<id>/messages/.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("patients/", PatientViewSet.as_view({"get": "list", "post": "create"}), name="patient-list"),
    path(
        "patients/<int:patient_id>/",
        PatientViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="patient-detail",
    ),
]
