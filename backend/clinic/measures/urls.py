from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .api import PatientQuestionnairesView, QuestionnaireSendView
from .views import questionnaire_view

# The public page a text links to: a short path and the token, nothing else (services.LINK_PATH).
page_urlpatterns: list[URLPattern | URLResolver] = [
    path("q/<str:token>", questionnaire_view, name="questionnaire"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "patients/<int:patient_id>/questionnaires/", PatientQuestionnairesView.as_view(), name="patient-questionnaires"
    ),
    path(
        "patients/<int:patient_id>/questionnaires/send/",
        QuestionnaireSendView.as_view(),
        name="patient-questionnaire-send",
    ),
]
