"""Reminders by email: for patients who chose email or gave no SMS consent; same hours, same preparation."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.messaging.models import OutboundMessage
from clinic.messaging.wording import forbidden_words_in
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, SessionType
from clinic.scheduling.reminders import reminder_channel_for
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db
NY = zoneinfo.ZoneInfo("America/New_York")
PREP = "Please have nothing to eat for 6 hours before your visit. Arrange an adult to drive you home."
EMAIL, SMS = OutboundMessage.Channel.EMAIL, OutboundMessage.Channel.SMS


@pytest.fixture
def setup() -> tuple[Provider, SessionType]:
    clinic = ClinicFactory()
    provider = ProviderFactory(clinic=clinic, hours=[(day, datetime.time(7), datetime.time(19)) for day in range(7)])
    RoomFactory(clinic=clinic)
    return provider, SessionTypeFactory(clinic=clinic, preparation_instructions=PREP)


def patient(*, sms: bool = False, email: bool = False, **fields: object) -> Patient:
    now = timezone.now()
    return PatientFactory(
        email="pat@example.com",
        sms_consent_at=now if sms else None,
        email_consent_at=now if email else None,
        email_consent_address="pat@example.com" if email else "",
        **fields,
    )


def book(setup: tuple[Provider, SessionType], who: Patient) -> Appointment:
    provider, session_type = setup
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=NY), tick=False):
        return appointment_book(
            actor=Actor(user=None),
            booking=Booking(
                patient=who,
                provider=provider,
                session_type=session_type,
                starts_at=datetime.datetime(2026, 12, 10, 10, tzinfo=NY),
            ),
        )


def test_the_channel_follows_the_patient_s_choice_else_consent(setup: tuple[Provider, SessionType]) -> None:
    assert reminder_channel_for(patient(sms=True, email=True)) == SMS
    assert reminder_channel_for(patient(email=True)) == EMAIL  # no SMS consent: email
    assert reminder_channel_for(patient()) == SMS  # neither: written as before, suppressed at send time
    assert reminder_channel_for(patient(sms=True, email=True, reminder_channel="email")) == EMAIL
    assert reminder_channel_for(patient(email=True, reminder_channel="sms")) == SMS


def test_an_email_reminder_carries_the_preparation_and_no_clinical_words(setup: tuple[Provider, SessionType]) -> None:
    appointment = book(setup, patient(email=True))
    rows = list(OutboundMessage.objects.filter(kind=OutboundMessage.Kind.REMINDER, patient=appointment.patient))
    assert rows and {row.channel for row in rows} == {EMAIL}
    for row in rows:
        assert row.to_email == "pat@example.com" and row.to_number == "" and row.status == "scheduled"
        assert PREP in row.body and "Thursday" in row.subject
        assert not row.outside_texting_hours_ok  # held to texting hours like texts
        assert forbidden_words_in(row.subject + row.body) == []


def test_an_email_reminder_without_consent_is_written_suppressed(setup: tuple[Provider, SessionType]) -> None:
    appointment = book(setup, patient(reminder_channel="email"))
    rows = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.REMINDER, patient=appointment.patient)
    assert {(row.channel, row.status, row.suppressed_reason) for row in rows} == {
        (EMAIL, "suppressed", "no email consent")
    }
