"""Staff API and admin: clinicians read a patient's questionnaires (audited), send one now; front desk may not."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.measures.answers import answer_save, assignment_submit
from clinic.measures.models import QuestionnaireAssignment
from clinic.measures.services import assignment_send_now
from clinic.messaging.models import OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import SessionType
from tests.support.clock import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic")]


@pytest.fixture(autouse=True)
def monday_noon() -> object:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False) as traveller:
        yield traveller


def url(patient: Patient, send: bool = False) -> str:
    return f"/api/v1/patients/{patient.pk}/questionnaires/" + ("send/" if send else "")


def test_a_clinician_sends_one_now_and_reads_the_results_with_an_audit_event(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: AbstractBaseUser, patient: Patient
) -> None:
    api = api_as(clinician)
    response = api.post(url(patient, send=True), {"instrument": "phq9"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["instrument"], body["purpose"], body["status"]) == ("phq9", "on_demand", "scheduled")
    assignment = QuestionnaireAssignment.objects.get(pk=body["id"])
    assert assignment.created_by == clinician
    text = OutboundMessage.objects.get(idempotency_key=f"questionnaire:{assignment.pk}:link")
    assert text.to_number == patient.phone and "/q/" in text.body
    assert "token" not in body and "token_hash" not in body

    for n in range(1, 10):
        answer_save(assignment_id=assignment.pk, link_id=f"phq9-{n}", value=2)
    assignment_submit(assignment_id=assignment.pk)
    listed = api.get(url(patient))
    assert listed.status_code == 200
    (row,) = listed.json()
    assert (row["total"], row["band"], row["band_label"], row["answered"]) == (
        18,
        "moderately_severe",
        "Moderately severe",
        9,
    )
    assert row["items"][8] == {
        "link_id": "phq9-9",
        "position": 9,
        "text": "Thoughts that you would be better off dead or of hurting yourself in some way",
        "value": 2,
    }
    assert AuditEvent.objects.filter(
        actor=clinician, action=AuditEvent.Action.VIEW, detail="questionnaires", target_id=str(patient.pk)
    ).exists()


def test_an_unknown_instrument_is_a_400_naming_the_field(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: AbstractBaseUser, patient: Patient
) -> None:
    response = api_as(clinician).post(url(patient, send=True), {"instrument": "phq99"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["instrument"]
    assert not QuestionnaireAssignment.objects.exists()


def test_front_desk_reads_no_answers_and_sends_none(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, patient: Patient
) -> None:
    api = api_as(front_desk)
    assert api.get(url(patient)).status_code == 403
    assert api.post(url(patient, send=True), {"instrument": "phq9"}, format="json").status_code == 403


def test_clinic_admins_edit_plans_in_the_admin_and_send_again_from_the_list(
    clinic_admin: AbstractBaseUser, patient: Patient, infusion: SessionType
) -> None:
    client = Client()
    client.force_login(clinic_admin)
    page = client.get(f"/admin/scheduling/sessiontype/{infusion.pk}/change/")
    assert page.status_code == 200 and "questionnaires by link" in page.content.decode().lower()

    first = assignment_send_now(actor=Actor(user=None), patient=patient, instrument="gad7")
    listing = client.get("/admin/measures/questionnaireassignment/?status__exact=scheduled")
    assert listing.status_code == 200 and "gad7" in listing.content.decode()
    done = client.post(
        "/admin/measures/questionnaireassignment/",
        {"action": "send_again_now", "_selected_action": [first.pk]},
    )
    assert done.status_code == 302
    assert QuestionnaireAssignment.objects.filter(patient=patient, instrument="gad7").count() == 2
