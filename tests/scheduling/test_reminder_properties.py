"""Property: whatever staff and patients do, and whenever the clock says, no reminder text breaks a rule.

Hypothesis plays random sequences of book / reschedule / cancel / STOP / START / clock advances. The
real dispatcher claims due rows and the real send task (run eagerly by Celery) sends them through
the Twilio SDK to the live sandbox. Every text the sandbox received is then checked against a plain
record of what was true when it was sent:

- never for a cancelled session, or for a session's old time after it moved;
- never to a number that had said STOP (and not START since);
- never outside texting hours (08:00-21:00 in the patient's time zone);
- never less than REMINDER_MIN_LEAD_MINUTES before its session, however late the clock let it go;
- never twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from clinic.accounts.actor import Actor
from clinic.messaging.models import DeliveryReport, InboundMessage, OutboundMessage, PhoneNumberState
from clinic.messaging.outbox import outbox_claim_due
from clinic.messaging.sandbox.models import SandboxMessage
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import (
    Booking,
    BookingConflict,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from config.celery_app import app as celery_app
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import NY
from tests.support.sandbox import SMS_PATH, inbound_params, post_signed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
START = datetime.datetime(2026, 12, 7, 7, 0, tzinfo=NY)  # a Monday morning, before texting hours
PHONES = ("+16175550171", "+16175550172", "+16175550173")
NOBODY = Actor(user=None)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("book"), st.integers(0, 2), st.integers(1, 4), st.integers(7, 16)),
        st.tuples(st.just("reschedule"), st.integers(0, 5), st.integers(1, 5), st.integers(7, 16)),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
        st.tuples(st.just("stop"), st.integers(0, 2)),
        st.tuples(st.just("start"), st.integers(0, 2)),
        st.tuples(st.just("advance"), st.integers(1, 30)),
    ),
    min_size=4,
    max_size=12,
)


@dataclass
class Record:
    """What was true when: each session's (time, start, occupying) and each number's opt-out changes."""

    sessions: dict[int, list[tuple[datetime.datetime, datetime.datetime, bool]]] = field(default_factory=dict)
    opted_out: dict[str, list[tuple[datetime.datetime, bool]]] = field(default_factory=dict)

    def session_at(self, appointment_id: int, moment: datetime.datetime) -> tuple[datetime.datetime, bool]:
        # A change recorded at the very instant of a send was made after it: sends happen only when the
        # clock moves, before any later step at that instant. The booking itself always came earlier.
        history = self.sessions[appointment_id]
        changes = history[:1] + [(at, start, on) for at, start, on in history[1:] if at < moment]
        _, start, on = changes[-1]
        return start, on

    def is_opted_out(self, phone: str, moment: datetime.datetime) -> bool:
        changes = [out for at, out in self.opted_out.get(phone, []) if at < moment]
        return bool(changes and changes[-1])


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run each send task inline when the dispatcher enqueues it: the real task code, no worker process."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def reset() -> None:
    for model in (
        SandboxMessage,
        DeliveryReport,
        OutboundMessage,
        InboundMessage,
        PhoneNumberState,
        Appointment,
    ):
        model.objects.all().delete()


def dispatch() -> None:
    """Play beat until nothing due is left (each claimed row is sent at once by the eager task)."""
    while outbox_claim_due(limit=100):
        pass


@pytest.mark.usefixtures("eager_tasks")
def test_reminders_never_break_a_patient_rule(sandbox_live: str, settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 10_000
    lead = datetime.timedelta(minutes=settings.REMINDER_MIN_LEAD_MINUTES)
    with time_machine.travel(START, tick=False):
        clinic = ClinicFactory()
        for name in ("Chair A", "Chair B"):
            RoomFactory(clinic=clinic, name=name)
        provider = ProviderFactory(clinic=clinic, hours=[(d, datetime.time(7), datetime.time(19)) for d in range(7)])
        infusion = SessionTypeFactory(clinic=clinic)
        patients = [
            PatientFactory(phone=phone, sms_consent_at=START, sms_consent_version="2026-11-v1") for phone in PHONES
        ]

    @hypothesis_settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=operations)
    def run(steps: list[tuple[Any, ...]]) -> None:
        reset()
        record = Record()
        booked: list[Appointment] = []
        sid = iter(range(10**6))
        with time_machine.travel(START, tick=False) as clock:
            for step in steps:
                now = datetime.datetime.now(datetime.UTC)
                kind = step[0]
                if kind == "book":
                    _, who, day, hour = step
                    when = (START + datetime.timedelta(days=day)).replace(hour=hour)
                    try:
                        appointment = appointment_book(
                            actor=NOBODY,
                            booking=Booking(
                                patient=patients[who], provider=provider, session_type=infusion, starts_at=when
                            ),
                        )
                    except (ValidationError, BookingConflict):
                        continue
                    booked.append(appointment)
                    record.sessions[appointment.pk] = [(now, appointment.starts_at, True)]
                elif kind in ("reschedule", "cancel") and booked:
                    appointment = booked[step[1] % len(booked)]
                    try:
                        if kind == "cancel":
                            appointment_cancel(actor=NOBODY, appointment=appointment, reason="changed plans")
                            record.sessions[appointment.pk].append((now, appointment.starts_at, False))
                        else:
                            when = (START + datetime.timedelta(days=step[2])).replace(hour=step[3])
                            moved = appointment_reschedule(actor=NOBODY, appointment=appointment, starts_at=when)
                            record.sessions[appointment.pk].append((now, moved.starts_at, True))
                    except (ValidationError, BookingConflict):
                        continue
                    appointment.refresh_from_db()
                elif kind in ("stop", "start"):
                    phone = PHONES[step[1]]
                    word = "STOP" if kind == "stop" else "START"
                    params = inbound_params(word, sid=f"SM{next(sid):032d}", from_number=phone)
                    assert post_signed(Client(), SMS_PATH, params).status_code == 200
                    record.opted_out.setdefault(phone, []).append((now, kind == "stop"))
                elif kind == "advance":
                    clock.shift(datetime.timedelta(hours=step[1]))
                    dispatch()
            clock.shift(datetime.timedelta(days=6))  # let everything still pending fall due
            dispatch()

        received = list(SandboxMessage.objects.filter(direction="outbound-api"))
        rows = {row.provider_sid: row for row in OutboundMessage.objects.exclude(provider_sid=None)}
        assert len(received) == len(rows), "a text reached the phone twice, or without its outbox row"
        for text in received:
            row = rows[text.sid]
            sent_at = text.date_created
            local = sent_at.astimezone(NY)
            assert datetime.time(8) <= local.time() < datetime.time(21), f"texted at night: {local}"
            assert not record.is_opted_out(text.to_number, sent_at), "texted a number that said STOP"
            appointment_id, _, timestamp = row.related_id.partition("@")
            start, occupying = record.session_at(int(appointment_id), sent_at)
            assert occupying, "a reminder for a cancelled session was sent"
            assert int(start.timestamp()) == int(timestamp), "a reminder for a session's old time was sent"
            assert start - sent_at >= lead, "a reminder arrived less than the minimum lead before its session"
        keys = [row.idempotency_key for row in rows.values()]
        assert len(keys) == len(set(keys))

    run()
