from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .api_fhir import QuestionnaireResponseView, QuestionnaireView

# Under /api/v1/ (config/urls.py): FHIR's own resource names in the path, as FHIR servers spell them.
# Any id reaches the view, so even a malformed one is answered in FHIR (an OperationOutcome), not as a bare 404.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("measures/fhir/Questionnaire/<str:code>", QuestionnaireView.as_view(), name="fhir-questionnaire"),
    path(
        "measures/fhir/QuestionnaireResponse/<str:pk>",
        QuestionnaireResponseView.as_view(),
        name="fhir-questionnaire-response",
    ),
]
