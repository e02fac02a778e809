"""Booking a REMS session waits for the patient's enrollment: the service, the API and the admin refuse it,
naming the patient, and the same booking goes through once the checklist item is ticked."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.rems.models import RemsEnrollment
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import Booking, appointment_book, appointment_reschedule
from tests.factories import PatientFactory, SessionTypeFactory
from tests.rems.factories import RemsSite, rems_site_build
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=NY)
MONDAY_NINE = datetime.datetime(2026, 12, 7, 9, tzinfo=NY)


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site() -> RemsSite:
    return rems_site_build(enrolled=False)


def _booking(site: RemsSite, starts_at: datetime.datetime = MONDAY_NINE) -> Booking:
    return Booking(patient=site.patient, provider=site.provider, session_type=site.session_type, starts_at=starts_at)


def test_the_service_refuses_a_rems_session_for_a_patient_not_enrolled_and_books_it_once_enrolled(
    site: RemsSite,
) -> None:
    with pytest.raises(ValidationError) as refused:
        appointment_book(actor=Actor(user=None), booking=_booking(site))
    assert list(refused.value.message_dict) == ["patient"]
    assert "enrollment" in refused.value.message_dict["patient"][0]
    RemsEnrollment.objects.create(patient=site.patient, completed_at=NOW)
    assert appointment_book(actor=Actor(user=None), booking=_booking(site)).status == Appointment.Status.SCHEDULED


def test_other_session_types_book_as_before(site: RemsSite) -> None:
    infusion = SessionTypeFactory(clinic=site.clinic)
    booking = Booking(patient=site.patient, provider=site.provider, session_type=infusion, starts_at=MONDAY_NINE)
    assert appointment_book(actor=Actor(user=None), booking=booking).pk is not None


def test_moving_a_session_checks_it_again(site: RemsSite) -> None:
    RemsEnrollment.objects.create(patient=site.patient, completed_at=NOW)
    appointment = appointment_book(actor=Actor(user=None), booking=_booking(site))
    RemsEnrollment.objects.filter(patient=site.patient).delete()  # e.g. entered for the wrong patient
    with pytest.raises(ValidationError) as refused:
        appointment_reschedule(
            actor=Actor(user=None), appointment=appointment, starts_at=MONDAY_NINE + datetime.timedelta(hours=3)
        )
    assert "patient" in refused.value.message_dict


def test_the_api_answers_400_naming_the_patient_until_front_desk_ticks_the_enrollment(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: User, site: RemsSite
) -> None:
    desk = api_as(front_desk)
    payload = {
        "patient": site.patient.pk,
        "provider": site.provider.pk,
        "session_type": site.session_type.pk,
        "starts_at": MONDAY_NINE.isoformat(),
    }
    refused = desk.post("/api/v1/appointments/", payload, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["patient"]
    assert not Appointment.objects.exists()

    url = f"/api/v1/patients/{site.patient.pk}/rems-enrollment/"
    assert desk.get(url).json()["enrolled"] is False
    ticked = desk.post(url, {"note": "REMS patient id 4411"}, format="json")
    assert ticked.status_code == 200
    assert ticked.json()["enrolled"] is True
    assert ticked.json()["completed_by"]["username"] == front_desk.username
    assert desk.post(url, {}, format="json").json()["note"] == "REMS patient id 4411"  # the first tick is kept
    assert AuditEvent.objects.filter(target_type="rems.RemsEnrollment", action="create", actor=front_desk).count() == 1
    assert desk.post("/api/v1/appointments/", payload, format="json").status_code == 201


def test_the_admin_add_form_puts_the_refusal_on_the_patient_field(clinic_admin: User, site: RemsSite) -> None:
    office = Client()
    office.force_login(clinic_admin)
    form = {
        "patient": site.patient.pk,
        "provider": site.provider.pk,
        "session_type": site.session_type.pk,
        "room": "",
        "starts_at_0": "2026-12-07",
        "starts_at_1": "09:00:00",
    }
    refused = office.post("/admin/scheduling/appointment/add/", form)
    assert refused.status_code == 200
    assert "enrollment" in str(refused.context["adminform"].form.errors["patient"])
    assert not Appointment.objects.exists()

    added = office.post("/admin/rems/remsenrollment/add/", {"patient": site.patient.pk, "note": "faxed"})
    assert added.status_code == 302
    enrollment = RemsEnrollment.objects.get(patient=site.patient)
    assert enrollment.completed_by == clinic_admin and enrollment.completed_at == NOW
    assert office.post("/admin/scheduling/appointment/add/", form).status_code == 302
    assert Appointment.objects.filter(patient=site.patient).count() == 1


def test_an_enrolled_patient_elsewhere_is_not_another_patient(site: RemsSite) -> None:
    other = PatientFactory(clinic=site.clinic)
    RemsEnrollment.objects.create(patient=other, completed_at=NOW)
    with pytest.raises(ValidationError):
        appointment_book(actor=Actor(user=None), booking=_booking(site))
