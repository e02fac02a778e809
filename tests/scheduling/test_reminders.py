"""Reminder texts: when they go out, what they say, and that moved or cancelled sessions never get one."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from clinic.messaging.segments import sms_segments
from clinic.messaging.sending import cause_problem
from clinic.messaging.wording import forbidden_words_in
from clinic.scheduling.models import Appointment, Provider, Room, SessionType
from clinic.scheduling.services import (
    Booking,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_reschedule,
)
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import NY, local

pytestmark = pytest.mark.django_db
NOBODY = Actor(user=None)
PREP = "Please have nothing to eat for 6 hours before your visit. Arrange an adult to drive you home."


@pytest.fixture
def clinic() -> Clinic:
    return ClinicFactory()


@pytest.fixture
def provider(clinic: Clinic) -> Provider:
    # Works every day 07:00-19:00 so early sessions and weekends can be booked.
    return ProviderFactory(clinic=clinic, hours=[(day, datetime.time(7), datetime.time(19)) for day in range(7)])


@pytest.fixture
def chair(clinic: Clinic) -> Room:
    return RoomFactory(clinic=clinic)


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(clinic=clinic, preparation_instructions=PREP)


@pytest.fixture
def at_monday_noon() -> Iterator[None]:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        yield


def book(provider: Provider, session_type: SessionType, starts_at: datetime.datetime, **patient: object) -> Appointment:
    return appointment_book(
        actor=NOBODY,
        booking=Booking(
            patient=PatientFactory(**patient), provider=provider, session_type=session_type, starts_at=starts_at
        ),
    )


def reminders_of(appointment: Appointment) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(kind=OutboundMessage.Kind.REMINDER, patient=appointment.patient).order_by(
            "send_after"
        )
    )


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_booking_writes_the_48_and_3_hour_reminders_with_time_and_preparation(
    provider: Provider, infusion: SessionType
) -> None:
    appointment = book(provider, infusion, local(2026, 12, 10, 14, 0), first_name="Robin")

    reminders = reminders_of(appointment)

    assert [r.send_after for r in reminders] == [local(2026, 12, 8, 14, 0), local(2026, 12, 10, 11, 0)]
    body = reminders[0].body
    assert body.startswith("Harbor Clinic: Hi Robin,")
    assert "Thursday, December 10 at 2:00 PM" in body
    assert PREP in body and re.search(r" Reply C to confirm\. To change or cancel: http://\S+/v/[\w-]{22}$", body)
    assert forbidden_words_in(body) == [] and "IV infusion" not in body
    assert sms_segments(body) <= 3
    assert all(r.status == OutboundMessage.Status.SCHEDULED for r in reminders)


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_a_reminder_due_at_night_moves_to_the_nearest_allowed_time_before_the_session(
    provider: Provider, infusion: SessionType
) -> None:
    # 3 hours before 09:15 is 06:15: the nearest allowed moment before the session is 08:00 that morning.
    morning = book(provider, infusion, local(2026, 12, 10, 9, 15))
    # Before 09:00, 08:00 would leave barely the minimum lead (an hour), and a few seconds of sending
    # would cross it: the evening before it is.
    nine = book(provider, infusion, local(2026, 12, 9, 9, 0))
    # Before 08:30, 08:00 would leave less than the minimum lead (an hour): the evening before it is.
    too_close = book(provider, infusion, local(2026, 12, 11, 8, 30))
    # 48 hours before 07:15 is 07:15 two days earlier, outside texting hours: 08:00 that day is nearest.
    early = book(provider, infusion, local(2026, 12, 12, 7, 15))

    assert [r.send_after for r in reminders_of(morning)] == [local(2026, 12, 8, 9, 15), local(2026, 12, 10, 8, 0)]
    assert [r.send_after for r in reminders_of(nine)] == [local(2026, 12, 7, 12, 0), local(2026, 12, 8, 20, 30)]
    assert [r.send_after for r in reminders_of(too_close)] == [local(2026, 12, 9, 8, 30), local(2026, 12, 10, 20, 30)]
    # 07:15 - 3h = 04:15: 08:00 is after the session, so it goes the evening before at 20:30.
    assert [r.send_after for r in reminders_of(early)] == [local(2026, 12, 10, 8, 0), local(2026, 12, 11, 20, 30)]


@pytest.mark.usefixtures("chair")
def test_reminders_keep_local_time_across_the_daylight_saving_change(provider: Provider, infusion: SessionType) -> None:
    with time_machine.travel(local(2026, 10, 29, 12), tick=False):
        appointment = book(provider, infusion, local(2026, 11, 2, 10, 0))  # Monday after the fall-back Sunday

    first, second = reminders_of(appointment)
    # 48 real hours before 10:00 EST (15:00Z) is 15:00Z on Saturday, 11:00 EDT there; 3 hours before
    # is 07:00 EST, outside texting hours, so it moves to 08:00 EST.
    assert first.send_after == datetime.datetime(2026, 10, 31, 15, 0, tzinfo=datetime.UTC)
    assert first.send_after.astimezone(NY).hour == 11
    assert second.send_after == datetime.datetime(2026, 11, 2, 13, 0, tzinfo=datetime.UTC)  # 08:00 EST
    assert "Monday, November 2 at 10:00 AM" in first.body


@pytest.mark.usefixtures("chair")
def test_a_booking_for_tomorrow_morning_still_gets_its_reminder_this_evening(
    provider: Provider, infusion: SessionType
) -> None:
    with time_machine.travel(local(2026, 12, 7, 18, 0), tick=False):
        appointment = book(provider, infusion, local(2026, 12, 8, 9, 0))

    # The 48-hour reminder has passed: one goes now; the 3-hour one (06:00) cannot move to 08:00, an hour
    # before the session, so it goes this evening at 20:30.
    assert [r.send_after for r in reminders_of(appointment)] == [local(2026, 12, 7, 18, 0), local(2026, 12, 7, 20, 30)]


@pytest.mark.usefixtures("chair")
def test_a_late_booking_gets_one_reminder_not_two_and_none_when_too_close(
    provider: Provider, infusion: SessionType
) -> None:
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        same_day = book(provider, infusion, local(2026, 12, 7, 15, 0))
        imminent = book(provider, infusion, local(2026, 12, 7, 10, 45))

    # 48h and 3h (12:00) reminders: "now" and 12:00 are more than an hour apart, so both stay.
    assert [r.send_after for r in reminders_of(same_day)] == [local(2026, 12, 7, 10, 0), local(2026, 12, 7, 12, 0)]
    assert reminders_of(imminent) == []


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_rescheduling_replaces_the_reminders_and_the_old_ones_can_never_be_sent(
    provider: Provider, infusion: SessionType
) -> None:
    appointment = book(provider, infusion, local(2026, 12, 10, 14, 0))
    old = reminders_of(appointment)

    appointment_reschedule(actor=NOBODY, appointment=appointment, starts_at=local(2026, 12, 11, 10, 0))

    for row in old:
        row.refresh_from_db()
        assert row.status == OutboundMessage.Status.CANCELLED
        assert cause_problem(row) == "appointment moved"
    new = [r for r in reminders_of(appointment) if r.status == OutboundMessage.Status.SCHEDULED]
    assert [r.send_after for r in new] == [local(2026, 12, 9, 10, 0), local(2026, 12, 11, 8, 0)]
    assert all("Friday, December 11 at 10:00 AM" in r.body for r in new)
    assert all(cause_problem(r) == "" for r in new)


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_cancelling_cancels_pending_reminders_and_a_queued_one_is_suppressed_at_send_time(
    provider: Provider, infusion: SessionType
) -> None:
    appointment = book(provider, infusion, local(2026, 12, 10, 14, 0))
    reminders = reminders_of(appointment)

    appointment_cancel(actor=NOBODY, appointment=appointment, reason="Patient unwell")

    assert {r.status for r in reminders_of(appointment)} == {OutboundMessage.Status.CANCELLED}
    # Even a row that escaped cancellation is refused by the send-time check.
    assert cause_problem(reminders[0]) == "appointment cancelled"


@pytest.mark.usefixtures("chair")
def test_completing_withdraws_reminders_not_yet_sent(provider: Provider, infusion: SessionType) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = book(provider, infusion, local(2026, 12, 8, 14, 0))
    with time_machine.travel(local(2026, 12, 8, 14, 5), tick=False):
        appointment_check_in(actor=NOBODY, appointment=appointment)
        appointment_complete(actor=NOBODY, appointment=appointment)

    assert (
        OutboundMessage.objects.filter(
            kind=OutboundMessage.Kind.REMINDER, status=OutboundMessage.Status.SCHEDULED
        ).count()
        == 0
    )


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_a_session_type_can_have_its_own_reminder_plan(provider: Provider, clinic: Clinic) -> None:
    consult = SessionTypeFactory(clinic=clinic, needs_chair=False, monitoring_minutes=0, reminder_hours=[24])

    appointment = book(provider, consult, local(2026, 12, 10, 14, 0))

    assert [r.send_after for r in reminders_of(appointment)] == [local(2026, 12, 9, 14, 0)]
    # The patient's own time zone decides texting hours and the time in the text.
    assert appointment.patient.timezone == "America/New_York"


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_reminders_use_the_patients_time_zone(provider: Provider, infusion: SessionType) -> None:
    appointment = book(provider, infusion, local(2026, 12, 10, 10, 0), timezone="America/Los_Angeles")

    first, second = reminders_of(appointment)
    # The patient comes to the clinic: the time is the clinic's, its zone named, with theirs beside it.
    assert "see you Thursday, December 10 at 10:00 AM ET (7:00 AM your time)." in first.body
    # Texting hours are the patient's own: 3 hours before is 04:00 in Los Angeles, so the evening before, 20:30 LA.
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    assert second.send_after == datetime.datetime(2026, 12, 9, 20, 30, tzinfo=la)


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_a_video_session_is_written_in_the_patients_own_time_naming_its_zone(
    provider: Provider, clinic: Clinic
) -> None:
    video = SessionTypeFactory(clinic=clinic, needs_chair=False, monitoring_minutes=0, mode=SessionType.Mode.VIDEO)

    far = book(provider, video, local(2026, 12, 10, 14, 0), timezone="America/Los_Angeles")
    near = book(provider, video, local(2026, 12, 11, 14, 0))

    assert "see you Thursday, December 10 at 11:00 AM PT." in reminders_of(far)[0].body
    assert "see you Friday, December 11 at 2:00 PM." in reminders_of(near)[0].body  # the clinic's zone: not named


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_a_reminder_sent_too_late_is_refused_at_send_time(provider: Provider, infusion: SessionType) -> None:
    appointment = book(provider, infusion, local(2026, 12, 8, 14, 0))
    three_hours = reminders_of(appointment)[-1]
    assert three_hours.send_after == local(2026, 12, 8, 11, 0)

    # The row slipped (workers down): until an hour before the session it may still go...
    with time_machine.travel(local(2026, 12, 8, 13, 0), tick=False):
        assert cause_problem(three_hours) == ""
    # ...after that it is too late, as it is once the session has started.
    with time_machine.travel(local(2026, 12, 8, 13, 0, 1), tick=False):
        assert cause_problem(three_hours) == "too late: starts within 60 min"
    with time_machine.travel(local(2026, 12, 8, 14, 0), tick=False):
        assert cause_problem(three_hours) == "too late: appointment already started"


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_the_minimum_lead_is_a_setting_at_send_time_too(
    provider: Provider, infusion: SessionType, settings: Any
) -> None:
    appointment = book(provider, infusion, local(2026, 12, 8, 14, 0))
    three_hours = reminders_of(appointment)[-1]
    settings.REMINDER_MIN_LEAD_MINUTES = 150

    with time_machine.travel(local(2026, 12, 8, 11, 45), tick=False):
        assert cause_problem(three_hours) == "too late: starts within 150 min"


@pytest.mark.usefixtures("at_monday_noon", "chair")
def test_a_one_hour_reminder_is_never_planned_where_sending_would_cross_the_minimum_lead(
    provider: Provider, clinic: Clinic
) -> None:
    hour_before = SessionTypeFactory(clinic=clinic, reminder_hours=[24, 1])

    appointment = book(provider, hour_before, local(2026, 12, 10, 14, 0))

    assert [r.send_after for r in reminders_of(appointment)] == [local(2026, 12, 9, 14, 0)]
