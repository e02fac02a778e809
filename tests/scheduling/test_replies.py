"""Patients answer reminders by text: C confirms, R asks for a call back, RIDE confirms the ride home."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from clinic.accounts.actor import Actor
from clinic.messaging.models import InboundMessage
from clinic.scheduling.models import Appointment
from clinic.scheduling.replies import drivers_unconfirmed_flag
from clinic.scheduling.services import Booking, appointment_book, appointment_cancel
from clinic.todos.models import StaffTask
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import NY
from tests.support.phones import PHONE
from tests.support.sandbox import SMS_PATH, inbound_params, post_signed

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 7, 12, tzinfo=NY)


@pytest.fixture
def booked() -> Appointment:
    clinic = ClinicFactory()
    RoomFactory(clinic=clinic)
    provider = ProviderFactory(clinic=clinic)
    with time_machine.travel(NOW, tick=False):
        return appointment_book(
            actor=Actor(user=None),
            booking=Booking(
                patient=PatientFactory(phone=PHONE, first_name="Robin"),
                provider=provider,
                session_type=SessionTypeFactory(clinic=clinic),
                starts_at=datetime.datetime(2026, 12, 9, 10, tzinfo=NY),
            ),
        )


def reply(body: str, sid: str) -> str:
    with time_machine.travel(NOW, tick=False):
        response = post_signed(Client(), SMS_PATH, inbound_params(body, sid=sid, from_number=PHONE))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("word", ["C", "c", "Yes", "CONFIRM", "confirm."])
def test_c_confirms_the_next_session_and_asks_about_the_ride(booked: Appointment, word: str) -> None:
    answer = reply(word, "SM" + "1" * 32)

    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CONFIRMED
    assert "you are confirmed for Wednesday, December 9 at 10:00 AM" in answer
    assert "reply RIDE" in answer
    assert InboundMessage.objects.get().route == InboundMessage.Route.CONFIRMATION


def test_confirmations_write_the_clinics_time_naming_its_zone_for_a_patient_elsewhere(booked: Appointment) -> None:
    booked.patient.timezone = "America/Los_Angeles"
    booked.patient.save()

    confirmed = reply("C", "SM" + "1" * 32)
    again = reply("C", "SM" + "2" * 32)

    assert "you are confirmed for Wednesday, December 9 at 10:00 AM ET (7:00 AM your time)." in confirmed
    assert "already confirmed for Wednesday, December 9 at 10:00 AM ET (7:00 AM your time)." in again


def test_confirming_twice_says_so_and_ride_is_recorded(booked: Appointment) -> None:
    reply("C", "SM" + "1" * 32)
    assert "already confirmed" in reply("C", "SM" + "2" * 32)
    assert "Thanks for arranging your ride home" in reply("ride", "SM" + "3" * 32)
    booked.refresh_from_db()
    assert booked.driver_confirmed


def test_r_answers_with_the_visits_own_link_and_keeps_the_booking(booked: Appointment) -> None:
    """The link (clinic.visitlinks) lets the patient pick a time: no call-back task is needed."""
    answer = reply("R", "SM" + "1" * 32)
    again = reply("reschedule", "SM" + "2" * 32)

    assert "Pick a new time for your visit on" in answer and "/v/" in answer and "+16175550100" in answer
    assert "/v/" in again
    assert not StaffTask.objects.exists()
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.SCHEDULED


def test_a_reply_with_nothing_to_confirm_is_answered_helpfully(booked: Appointment) -> None:
    with time_machine.travel(NOW, tick=False):
        appointment_cancel(actor=Actor(user=None), appointment=booked, reason="Patient unwell")

    answer = reply("C", "SM" + "1" * 32)

    assert "could not find an upcoming visit" in answer and "+16175550100" in answer
    assert "Robin" not in answer


def test_an_unknown_number_learns_nothing_about_anyone(booked: Appointment) -> None:
    with time_machine.travel(NOW, tick=False):
        response = post_signed(Client(), SMS_PATH, inbound_params("C", sid="SM" + "9" * 32, from_number="+16175550999"))
    body = response.content.decode()
    assert "could not find an upcoming visit" in body
    assert "Robin" not in body and "December" not in body
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.SCHEDULED


def test_an_unconfirmed_ride_the_day_before_is_flagged_once_to_front_desk(booked: Appointment) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 8, 9, tzinfo=NY), tick=False):
        assert drivers_unconfirmed_flag() == 0  # more than a day ahead
    with time_machine.travel(datetime.datetime(2026, 12, 8, 11, tzinfo=NY), tick=False):
        drivers_unconfirmed_flag()
        drivers_unconfirmed_flag()

    task = StaffTask.objects.get()
    assert (task.kind, task.appointment, task.is_clinical) == (StaffTask.Kind.DRIVER_UNCONFIRMED, booked, False)


def test_a_confirmed_ride_is_not_flagged(booked: Appointment) -> None:
    reply("RIDE", "SM" + "1" * 32)
    with time_machine.travel(datetime.datetime(2026, 12, 8, 11, tzinfo=NY), tick=False):
        assert drivers_unconfirmed_flag() == 0
    assert not StaffTask.objects.exists()
