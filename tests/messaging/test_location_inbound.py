"""A text is routed by the number it was sent to (each location's sender); its sender is one person."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.messaging.adhoc import text_send_ad_hoc
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.numbers import number_is_opted_out
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment
from clinic.scheduling.reminders import reminder_related_id
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import local
from tests.support.phones import PHONE
from tests.support.sandbox import last_inbound, patient_texts

pytestmark = pytest.mark.django_db
DENVER_NUMBER, PHOENIX_NUMBER = "+17205550100", "+16025550100"
EVERY_DAY = [(day, datetime.time(7), datetime.time(19)) for day in range(7)]


@pytest.fixture
def sites() -> dict[str, Clinic]:
    return {
        "denver": ClinicFactory(
            name="Denver", short_name="Mesa Denver", timezone="America/Denver", sms_from_number=DENVER_NUMBER
        ),
        "phoenix": ClinicFactory(
            name="Phoenix", short_name="Mesa Phoenix", timezone="America/Phoenix", sms_from_number=PHOENIX_NUMBER
        ),
    }


@pytest.fixture
def patient(sites: dict[str, Clinic]) -> Patient:
    return PatientFactory(phone=PHONE, first_name="Ana", sms_consent_at=timezone.now(), clinic=sites["phoenix"])


def booked(site: Clinic, patient: Patient, starts_at: datetime.datetime) -> Appointment:
    RoomFactory(clinic=site)
    return appointment_book(
        actor=Actor(user=None),
        booking=Booking(
            patient=patient,
            provider=ProviderFactory(clinic=site, hours=EVERY_DAY),
            session_type=SessionTypeFactory(clinic=site),
            starts_at=starts_at,
        ),
    )


@pytest.fixture
def two_visits(sites: dict[str, Clinic], patient: Patient) -> dict[str, Appointment]:
    """Ana is seen at both locations: Phoenix on Wednesday, then Denver on Thursday."""
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        return {
            "phoenix": booked(sites["phoenix"], patient, local(2026, 12, 9, 12, 0)),
            "denver": booked(sites["denver"], patient, local(2026, 12, 10, 12, 0)),
        }


def status(appointment: Appointment) -> str:
    appointment.refresh_from_db()
    return appointment.status


def test_c_to_a_locations_number_confirms_the_visit_there(
    client: Client, sites: dict[str, Clinic], two_visits: dict[str, Appointment]
) -> None:
    with time_machine.travel(local(2026, 12, 8, 10), tick=False):
        reply = patient_texts(client, "C", to_number=DENVER_NUMBER)

    message = last_inbound()
    assert message.clinic == sites["denver"] and message.patient is not None
    assert status(two_visits["denver"]) == Appointment.Status.CONFIRMED
    assert status(two_visits["phoenix"]) == Appointment.Status.SCHEDULED  # earlier, but not the one answered
    assert "Mesa Denver: Thanks Ana, you are confirmed for Thursday, December 10" in reply


def test_c_to_the_organizations_number_confirms_the_next_visit_anywhere(
    client: Client, two_visits: dict[str, Appointment]
) -> None:
    with time_machine.travel(local(2026, 12, 8, 10), tick=False):
        patient_texts(client, "C")

    assert last_inbound().clinic is None
    assert status(two_visits["phoenix"]) == Appointment.Status.CONFIRMED
    assert status(two_visits["denver"]) == Appointment.Status.SCHEDULED


def test_a_location_with_no_visit_still_confirms_the_persons_next_one(
    client: Client, sites: dict[str, Clinic], patient: Patient
) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        phoenix_visit = booked(sites["phoenix"], patient, local(2026, 12, 9, 12, 0))
    with time_machine.travel(local(2026, 12, 8, 10), tick=False):
        patient_texts(client, "SI", to_number=DENVER_NUMBER)

    assert status(phoenix_visit) == Appointment.Status.CONFIRMED


def test_stop_to_one_locations_number_stops_every_locations_texts(
    client: Client, sites: dict[str, Clinic], two_visits: dict[str, Appointment], patient: Patient
) -> None:
    with time_machine.travel(local(2026, 12, 8, 10), tick=False):
        reply = patient_texts(client, "PARAR", to_number=PHOENIX_NUMBER)

    assert last_inbound().route == InboundMessage.Route.OPT_OUT and last_inbound().clinic == sites["phoenix"]
    assert reply.count("Mesa Phoenix: ya no recibirá más mensajes nuestros.") == 1
    assert number_is_opted_out(PHONE)
    denver_reminders = OutboundMessage.objects.filter(
        patient=patient, clinic=sites["denver"], kind=OutboundMessage.Kind.REMINDER
    )
    assert denver_reminders.exists() and {r.to_number for r in denver_reminders} == {PHONE}


def test_help_is_answered_with_the_texted_locations_name(client: Client, sites: dict[str, Clinic]) -> None:
    reply = patient_texts(client, "HELP", to_number=PHOENIX_NUMBER)
    assert "Mesa Phoenix: for help call" in reply


def test_reminders_name_their_location_and_go_from_its_number(
    sites: dict[str, Clinic], two_visits: dict[str, Appointment]
) -> None:
    for site, appointment in two_visits.items():
        reminders = OutboundMessage.objects.filter(
            kind=OutboundMessage.Kind.REMINDER,
            related_id=reminder_related_id(appointment.pk, appointment.starts_at),
        )
        assert reminders.exists() and {r.clinic for r in reminders} == {sites[site]}
        assert all(r.body.startswith(f"{sites[site].short_name}: Hi Ana") for r in reminders)


def test_an_ad_hoc_text_goes_for_the_patients_home_location(sites: dict[str, Clinic], patient: Patient) -> None:
    Patient.objects.filter(pk=patient.pk).update(language="es")
    patient.refresh_from_db()
    row = text_send_ad_hoc(patient=patient, body="Su formulario está listo en recepción.", by=Actor(user=None))
    assert (row.clinic, row.language) == (sites["phoenix"], "es")


def test_the_patient_page_names_each_coming_sessions_location_and_zone(
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
    patient: Patient,
    two_visits: dict[str, Appointment],
) -> None:
    with time_machine.travel(local(2026, 12, 8, 10), tick=False):
        page = api_as(front_desk).get(f"/api/v1/patients/{patient.pk}/").json()

    where = [(a["clinic_name"], a["clinic_timezone"]) for a in page["upcoming_appointments"]]
    assert where == [("Phoenix", "America/Phoenix"), ("Denver", "America/Denver")]
