"""Reminders through the whole engine: a real worker and the live sandbox, on a clock moved by time-machine.

The test process and the worker share one moved clock: the worker is restarted at each moment the
test travels to (tests/support/clock.py: beat_play_at). Texts are counted where a phone would see them: at the sandbox.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.messaging.models import OutboundMessage
from clinic.messaging.sandbox.models import SandboxMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, SessionType
from clinic.scheduling.reminders import reminder_related_id
from clinic.scheduling.services import Booking, appointment_book, appointment_cancel, appointment_reschedule
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import NY, beat_play_at, local
from tests.support.processes import CeleryWorker
from tests.support.sandbox import SMS_PATH, inbound_params, outbox_settled, post_signed, sandbox_texts_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
NOBODY = Actor(user=None)


def consenting_patient(phone: str) -> Patient:
    return PatientFactory(phone=phone, sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")


def book(provider: Provider, session_type: SessionType, patient: Patient, starts_at: datetime.datetime) -> Appointment:
    booking = Booking(patient=patient, provider=provider, session_type=session_type, starts_at=starts_at)
    return appointment_book(actor=NOBODY, booking=booking)


def test_reminders_go_out_at_local_times_and_never_for_moved_or_cancelled_sessions(worker: CeleryWorker) -> None:
    with time_machine.travel(local(2026, 12, 7, 12, 0), tick=False):  # Monday noon
        clinic = ClinicFactory()  # texting hours 08:00-21:00
        RoomFactory(clinic=clinic)
        provider = ProviderFactory(clinic=clinic, hours=[(d, datetime.time(7), datetime.time(19)) for d in range(7)])
        infusion = SessionTypeFactory(clinic=clinic, preparation_instructions="Arrange an adult to drive you home.")
        early, moved, dropped = (consenting_patient(f"+1617555010{n}") for n in (1, 2, 3))
        # Thursday 08:30: 48 h before is Tuesday 08:30; 3 h before (05:30) is at night, so Wednesday 20:30.
        first = book(provider, infusion, early, local(2026, 12, 10, 8, 30))
        second = book(provider, infusion, moved, local(2026, 12, 9, 14, 0))
        third = book(provider, infusion, dropped, local(2026, 12, 9, 16, 0))
        appointment_reschedule(actor=NOBODY, appointment=second, starts_at=local(2026, 12, 11, 14, 0))
        appointment_cancel(actor=NOBODY, appointment=third, reason="Patient unwell")

    # Tuesday 08:31: only the first patient's 48-hour reminder is due.
    beat_play_at(
        worker, local(2026, 12, 8, 8, 31), lambda: len(sandbox_texts_to(early.phone)) == 1 and outbox_settled(), "1st"
    )
    (reminder,) = sandbox_texts_to(early.phone)
    assert "Thursday, December 10 at 8:30 AM" in reminder.body and "Reply C to confirm" in reminder.body
    assert reminder.date_created.astimezone(NY).replace(second=0, microsecond=0) == local(2026, 12, 8, 8, 31)

    # The patient answers C: the session is confirmed, and the answer says so.
    with time_machine.travel(local(2026, 12, 8, 8, 40), tick=False):
        answer = post_signed(Client(), SMS_PATH, inbound_params("C", sid="SM" + "c" * 32, from_number=early.phone))
    assert "you are confirmed for Thursday, December 10 at 8:30 AM" in answer.content.decode()
    first.refresh_from_db()
    assert first.status == Appointment.Status.CONFIRMED

    # Wednesday 20:31: the night-time reminder moved here, and the moved session's new 48-hour one.
    beat_play_at(
        worker,
        local(2026, 12, 9, 20, 31),
        lambda: (
            len(sandbox_texts_to(early.phone)) == 2 and len(sandbox_texts_to(moved.phone)) == 1 and outbox_settled()
        ),
        "the evening reminders",
    )
    assert sandbox_texts_to(early.phone)[1].date_created.astimezone(NY).hour == 20
    (moved_text,) = sandbox_texts_to(moved.phone)
    assert "Friday, December 11 at 2:00 PM" in moved_text.body

    # Nothing was ever sent for the old time of the moved session or for the cancelled one.
    assert sandbox_texts_to(dropped.phone) == []
    assert all("December 9" not in text.body for text in sandbox_texts_to(moved.phone))
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 3


def test_a_reminder_across_the_daylight_saving_change_keeps_real_hours(worker: CeleryWorker) -> None:
    with time_machine.travel(local(2026, 10, 29, 12, 0), tick=False):
        clinic = ClinicFactory()
        RoomFactory(clinic=clinic)
        provider = ProviderFactory(clinic=clinic)
        patient = consenting_patient("+16175550104")
        # Monday 10:00 EST, the day after clocks go back: 48 real hours before is Saturday 11:00 EDT.
        book(provider, SessionTypeFactory(clinic=clinic), patient, local(2026, 11, 2, 10, 0))

    beat_play_at(worker, local(2026, 10, 31, 10, 59), outbox_settled, "nothing due yet")
    assert sandbox_texts_to(patient.phone) == []
    beat_play_at(
        worker, local(2026, 10, 31, 11, 1), lambda: len(sandbox_texts_to(patient.phone)) == 1, "the DST reminder"
    )
    (text,) = sandbox_texts_to(patient.phone)
    assert text.date_created >= datetime.datetime(2026, 10, 31, 15, 0, tzinfo=datetime.UTC)
    assert "Monday, November 2 at 10:00 AM" in text.body


def test_a_reminder_held_up_by_a_worker_outage_is_suppressed_once_too_close_to_the_session(
    worker: CeleryWorker,
) -> None:
    with time_machine.travel(local(2026, 12, 7, 12, 0), tick=False):  # Monday noon
        clinic = ClinicFactory()
        RoomFactory(clinic=clinic)
        provider = ProviderFactory(clinic=clinic, hours=[(d, datetime.time(7), datetime.time(19)) for d in range(7)])
        infusion = SessionTypeFactory(clinic=clinic)
        late, still_in_time = (consenting_patient(f"+1617555011{n}") for n in (1, 2))
        # Wednesday 14:00 and 16:00: their 3-hour reminders are due at 11:00 and 13:00.
        close = book(provider, infusion, late, local(2026, 12, 9, 14, 0))
        book(provider, infusion, still_in_time, local(2026, 12, 9, 16, 0))

    # By Wednesday 08:00 the two 48-hour reminders have gone out.
    beat_play_at(
        worker,
        local(2026, 12, 9, 8, 0),
        lambda: (
            len(sandbox_texts_to(late.phone)) == len(sandbox_texts_to(still_in_time.phone)) == 1 and outbox_settled()
        ),
        "the 48-hour reminders",
    )

    # The workers were down from 10:00 until 13:20: both 3-hour reminders are due now. The first
    # session starts in 40 minutes, less than the minimum lead: its reminder is suppressed, not sent.
    beat_play_at(
        worker,
        local(2026, 12, 9, 13, 20),
        lambda: len(sandbox_texts_to(still_in_time.phone)) == 2 and outbox_settled(),
        "the reminders after the outage",
    )
    (held_up,) = OutboundMessage.objects.filter(
        related_id=reminder_related_id(close.pk, close.starts_at), idempotency_key__endswith=":3h"
    )
    assert held_up.status == OutboundMessage.Status.SUPPRESSED
    assert held_up.suppressed_reason == "too late: starts within 60 min"
    assert held_up.provider_sid is None and held_up.sent_at is None
    assert len(sandbox_texts_to(late.phone)) == 1  # only the 48-hour one ever reached the phone
    assert "Wednesday, December 9 at 4:00 PM" in sandbox_texts_to(still_in_time.phone)[1].body
