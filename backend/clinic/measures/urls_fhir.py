from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .api_fhir import QuestionnaireResponseView, QuestionnaireView

# Under /api/v1/ (config/urls.py): FHIR's own resource names in the path, as FHIR servers spell them.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("measures/fhir/Questionnaire/<slug:code>", QuestionnaireView.as_view(), name="fhir-questionnaire"),
    path(
        "measures/fhir/QuestionnaireResponse/<int:pk>",
        QuestionnaireResponseView.as_view(),
        name="fhir-questionnaire-response",
    ),
]
