"""The patient admin: list, search and filters; the upcoming sessions inline; audit of every look."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.patients.models import Patient
from clinic.scheduling.services import Booking, appointment_book, appointment_cancel
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 26, 8, 0, tzinfo=NY)
CHANGELIST = "/admin/patients/patient/"


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def logged_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_changelist_lists_searches_and_filters_by_consent(front_desk: AbstractBaseUser) -> None:
    PatientFactory(first_name="Ruth", last_name="Okafor", phone="+16175550111", sms_consent_at=NOW)
    PatientFactory(first_name="Sam", last_name="Berg", phone="+16175550222")
    client = logged_in(front_desk)

    page = client.get(CHANGELIST).content.decode()
    assert "Okafor" in page and "Berg" in page

    page = client.get(CHANGELIST, {"q": "+16175550111"}).content.decode()
    assert "Okafor" in page and "Berg" not in page

    page = client.get(CHANGELIST, {"sms_consent": "yes"}).content.decode()
    assert "Okafor" in page and "Berg" not in page
    page = client.get(CHANGELIST, {"sms_consent": "no"}).content.decode()
    assert "Okafor" not in page and "Berg" in page

    assert AuditEvent.objects.filter(actor=front_desk, action="list", target_type="patients.Patient").exists()


def test_change_page_shows_upcoming_sessions_read_only_and_is_audited(front_desk: AbstractBaseUser) -> None:
    clinic = ClinicFactory()
    patient = PatientFactory(first_name="Ruth", last_name="Okafor")
    provider = ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone")
    chair = RoomFactory(clinic=clinic, name="Chair A")
    infusion = SessionTypeFactory(clinic=clinic, name="IV infusion")
    system = Actor(user=None)
    for day in (27, 28):
        appointment = appointment_book(
            actor=system,
            booking=Booking(
                patient=patient,
                provider=provider,
                session_type=infusion,
                starts_at=datetime.datetime(2026, 10, day, 10, tzinfo=NY),
                room=chair,
            ),
        )
    appointment_cancel(actor=system, appointment=appointment, reason="moved away")

    response = logged_in(front_desk).get(f"{CHANGELIST}{patient.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Upcoming sessions" in page
    assert "Dr. Ada Stone" in page and "Chair A" in page
    assert "Tue 2026-10-27 10:00 EDT" in page  # in the clinic's time
    assert "2026-10-28" not in page  # the cancelled one is not upcoming
    assert 'name="appointments-0-starts_at"' not in page  # shown, not editable
    assert AuditEvent.objects.filter(
        actor=front_desk, action="view", target_type="patients.Patient", target_id=str(patient.pk)
    ).exists()


def test_adding_a_patient_normalises_the_phone_and_refuses_a_folder_as_time_zone(
    front_desk: AbstractBaseUser,
) -> None:
    client = logged_in(front_desk)
    form = {
        "first_name": "Lena",
        "last_name": "Marsh",
        "phone": "(617) 555-0177",
        "email": "",
        "date_of_birth": "",
        "timezone": "America",
        "appointments-TOTAL_FORMS": "0",
        "appointments-INITIAL_FORMS": "0",
    }
    response = client.post(f"{CHANGELIST}add/", form)
    assert response.status_code == 200  # the form again, with the error
    assert "not a known time zone" in response.content.decode()

    response = client.post(f"{CHANGELIST}add/", {**form, "timezone": "America/New_York"})
    assert response.status_code == 302
    patient = Patient.objects.get(last_name="Marsh")
    assert patient.phone == "+16175550177"
    assert patient.created_by == front_desk
    assert AuditEvent.objects.filter(action="create", target_id=str(patient.pk)).exists()
