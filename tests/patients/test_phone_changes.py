"""Consent belongs to a number: every way staff change a patient's phone drops consent for the old one
and keeps pending texts away from it; a shared number is shown to staff."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_enqueue
from clinic.messaging.sending import outbox_send
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory

pytestmark = pytest.mark.django_db
ApiAs = Callable[[AbstractBaseUser], APIClient]
OLD, NEW = "+16175550142", "+16175550188"
CHANGELIST = "/admin/patients/patient/"


def consenting_patient_with_a_pending_reminder() -> tuple[Patient, OutboundMessage]:
    ClinicFactory()
    patient = PatientFactory(phone=OLD, sms_consent_at=timezone.now(), sms_consent_phone=OLD)
    reminder = outbox_enqueue(
        kind=OutboundMessage.Kind.REMINDER,
        to_number=OLD,
        body="A reminder of your visit.",
        patient_id=patient.pk,
        idempotency_key="reminder-1",
        send_after=timezone.now() + timezone.timedelta(hours=20),
    )
    return patient, reminder


def admin_change_form(patient: Patient, **changes: str) -> dict[str, str]:
    return {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "phone": patient.phone,
        "email": patient.email,
        "date_of_birth": "",
        "timezone": patient.timezone,
        "appointments-TOTAL_FORMS": "0",
        "appointments-INITIAL_FORMS": "0",
        **changes,
    }


def test_changing_the_phone_in_the_admin_drops_consent_and_cancels_pending_texts(
    front_desk: AbstractBaseUser,
) -> None:
    patient, reminder = consenting_patient_with_a_pending_reminder()
    client = Client()
    client.force_login(front_desk)

    response = client.post(f"{CHANGELIST}{patient.pk}/change/", admin_change_form(patient, phone="(617) 555-0188"))
    assert response.status_code == 302, response.content.decode()[:2000]

    patient.refresh_from_db()
    assert patient.phone == NEW
    assert patient.sms_consent_at is None and patient.sms_consent_phone == ""
    reminder.refresh_from_db()
    assert reminder.status == OutboundMessage.Status.CANCELLED
    assert reminder.to_number == OLD  # kept as history, never sent


def test_a_name_change_in_the_admin_keeps_consent_and_pending_texts(front_desk: AbstractBaseUser) -> None:
    patient, reminder = consenting_patient_with_a_pending_reminder()
    client = Client()
    client.force_login(front_desk)

    response = client.post(f"{CHANGELIST}{patient.pk}/change/", admin_change_form(patient, first_name="Danielle"))
    assert response.status_code == 302

    patient.refresh_from_db()
    assert patient.first_name == "Danielle" and patient.sms_consent_at is not None
    reminder.refresh_from_db()
    assert reminder.status == OutboundMessage.Status.SCHEDULED and reminder.to_number == OLD


def test_a_new_number_given_with_consent_through_the_api_re_addresses_pending_texts(
    api_as: ApiAs, front_desk: AbstractBaseUser
) -> None:
    patient, reminder = consenting_patient_with_a_pending_reminder()
    response = api_as(front_desk).patch(
        f"/api/v1/patients/{patient.pk}/", {"phone": "617-555-0188", "sms_consent": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["sms_consent_phone"] == NEW
    reminder.refresh_from_db()
    assert reminder.status == OutboundMessage.Status.SCHEDULED and reminder.to_number == NEW


def test_without_consent_through_the_api_pending_texts_are_cancelled(
    api_as: ApiAs, front_desk: AbstractBaseUser
) -> None:
    patient, reminder = consenting_patient_with_a_pending_reminder()
    response = api_as(front_desk).patch(f"/api/v1/patients/{patient.pk}/", {"phone": "617-555-0188"}, format="json")
    assert response.status_code == 200 and response.json()["sms_consent"] is False
    reminder.refresh_from_db()
    assert reminder.status == OutboundMessage.Status.CANCELLED


def test_a_text_to_a_number_that_is_no_longer_the_patients_is_never_sent() -> None:
    patient, reminder = consenting_patient_with_a_pending_reminder()
    # However the number changed (here, behind every service's back), the send-time check holds.
    Patient.objects.filter(pk=patient.pk).update(phone=NEW)
    OutboundMessage.objects.filter(pk=reminder.pk).update(status=OutboundMessage.Status.QUEUED)

    assert outbox_send(message_id=reminder.pk).result == "suppressed: no SMS consent"
    reminder.refresh_from_db()
    assert reminder.status == OutboundMessage.Status.SUPPRESSED


def test_consent_recorded_for_another_number_does_not_cover_this_one() -> None:
    patient, reminder = consenting_patient_with_a_pending_reminder()
    Patient.objects.filter(pk=patient.pk).update(sms_consent_phone="+16175550100")
    OutboundMessage.objects.filter(pk=reminder.pk).update(status=OutboundMessage.Status.QUEUED)

    assert outbox_send(message_id=reminder.pk).result == "suppressed: no SMS consent"


def test_staff_see_a_shared_number_in_the_admin_and_the_api(front_desk: AbstractBaseUser, api_as: ApiAs) -> None:
    ClinicFactory()
    parent = PatientFactory(first_name="Maria", last_name="Lopez", phone=OLD)
    child = PatientFactory(first_name="Ana", last_name="Lopez", phone=OLD)
    alone = PatientFactory(first_name="Ruth", last_name="Okafor", phone="+16175550111")
    client = Client()
    client.force_login(front_desk)

    page = client.get(CHANGELIST).content.decode().lower()
    assert "number shared by" in page and "2 patients" in page
    shared = client.get(CHANGELIST, {"shared_number": "yes"}).context["cl"].result_list
    assert {p.pk for p in shared} == {parent.pk, child.pk}
    only = client.get(CHANGELIST, {"shared_number": "no"}).context["cl"].result_list
    assert [p.pk for p in only] == [alone.pk]

    api = api_as(front_desk)
    listed = {row["id"]: row["phone_shared"] for row in api.get("/api/v1/patients/").json()["results"]}
    assert listed == {parent.pk: True, child.pk: True, alone.pk: False}
    detail = api.get(f"/api/v1/patients/{parent.pk}/").json()
    assert detail["phone_shared_with"] == [{"id": child.pk, "first_name": "Ana", "last_name": "Lopez"}]
