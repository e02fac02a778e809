from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .api import EnrollmentView, MonitoringRecordSubmittedView, MonitoringRecordView, TrackerView

# Plain paths with int ids, like the other apps' API modules.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("appointments/<int:pk>/monitoring-record/", MonitoringRecordView.as_view(), name="rems-record"),
    path(
        "appointments/<int:pk>/monitoring-record/submitted/",
        MonitoringRecordSubmittedView.as_view(),
        name="rems-record-submitted",
    ),
    path("rems/forms/", TrackerView.as_view(), name="rems-tracker"),
    path("patients/<int:patient_id>/rems-enrollment/", EnrollmentView.as_view(), name="rems-enrollment"),
]
