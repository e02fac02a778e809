"""Check-in plans: completing a session writes its check-ins at their times; cancelling withdraws them."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from clinic.accounts.actor import Actor
from clinic.checkins.models import CheckIn, CheckInKind
from clinic.checkins.plans import DEFAULT_PLAN, checkin_plan_for
from clinic.checkins.services import checkins_cancel_for, checkins_start_for
from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from clinic.messaging.segments import sms_segments
from clinic.messaging.sending import cause_problem
from clinic.messaging.wording import forbidden_words_in
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, SessionType
from clinic.scheduling.services import Booking, appointment_book, appointment_check_in, appointment_complete
from tests.factories import CheckInStepFactory, ProviderFactory, RoomFactory, SessionTypeFactory, completed_session
from tests.support.clock import local

pytestmark = pytest.mark.django_db
NOBODY = Actor(user=None)
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


def checkin_texts(appointment: Appointment) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CHECKIN, patient=appointment.patient).order_by(
            "send_after"
        )
    )


def test_completing_a_session_through_the_calendar_writes_the_default_plan(
    clinic: Clinic, infusion: SessionType, patient: Patient
) -> None:
    provider = ProviderFactory(clinic=clinic)
    RoomFactory(clinic=clinic)
    with time_machine.travel(local(2026, 12, 4, 12), tick=False):
        appointment = appointment_book(
            actor=NOBODY,
            booking=Booking(
                patient=patient, provider=provider, session_type=infusion, starts_at=local(2026, 12, 7, 10)
            ),
        )
    with time_machine.travel(local(2026, 12, 7, 11, 50), tick=False):
        appointment_check_in(actor=NOBODY, appointment=appointment)
        appointment_complete(actor=NOBODY, appointment=appointment)

    # Session 10:00-11:45 (45 min + 60 monitoring). Home safe that evening, mood days 1 and 3, PHQ-2 day 7.
    texts = checkin_texts(appointment)
    assert [t.send_after for t in texts] == [
        local(2026, 12, 7, 19, 0),
        local(2026, 12, 8, 10, 0),
        local(2026, 12, 10, 10, 0),
        local(2026, 12, 14, 10, 0),
    ]
    assert [t.template for t in texts] == ["checkin_home_safe", "checkin_mood", "checkin_mood", "checkin_phq2_interest"]
    assert texts[0].body.startswith("Harbor Clinic: Hi Robin, checking in after your visit today. Are you home safe?")
    assert all(forbidden_words_in(t.body) == [] and sms_segments(t.body) <= 3 for t in texts)
    assert all(t.status == OutboundMessage.Status.SCHEDULED and not t.outside_texting_hours_ok for t in texts)
    check_ins = CheckIn.objects.filter(appointment=appointment).order_by("due_at")
    assert [c.step_key for c in check_ins] == ["home_safe:d0", "mood:d1", "mood:d3", "phq2:d7"]
    assert all(c.status == CheckIn.Status.PENDING and c.message is not None for c in check_ins)


def test_completing_twice_never_schedules_twice(infusion: SessionType, patient: Patient) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        first = checkins_start_for(appointment=appointment)
        second = checkins_start_for(appointment=appointment)

    assert [c.pk for c in first] == [c.pk for c in second]
    assert CheckIn.objects.count() == 4 and len(checkin_texts(appointment)) == 4


def test_home_safe_is_never_sooner_than_an_hour_after_the_session(infusion: SessionType, patient: Patient) -> None:
    with time_machine.travel(local(2026, 12, 7, 18, 45), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 18, 40))
        checkins_start_for(appointment=appointment)

    assert checkin_texts(appointment)[0].send_after == local(2026, 12, 7, 19, 40)


def test_local_times_hold_across_a_dst_change_and_in_the_patients_own_zone(
    infusion: SessionType, patient: Patient
) -> None:
    # Clocks go back in New York on Sunday, November 1, 2026; the patient lives in Los Angeles.
    patient.timezone = "America/Los_Angeles"
    patient.save()
    with time_machine.travel(local(2026, 10, 30, 14), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 10, 30, 13, 0))  # 10:00 in Los Angeles
        checkins_start_for(appointment=appointment)

    in_la = [t.send_after.astimezone(LOS_ANGELES) for t in checkin_texts(appointment)]
    assert [(m.day, m.hour, m.minute) for m in in_la] == [(30, 19, 0), (31, 10, 0), (2, 10, 0), (6, 10, 0)]
    assert in_la[2].utcoffset() != in_la[1].utcoffset()  # the DST change fell in between


def test_a_session_type_with_its_own_steps_follows_them_and_all_inactive_means_none(
    clinic: Clinic, patient: Patient
) -> None:
    spravato = SessionTypeFactory(clinic=clinic, name="Nasal spray")
    CheckInStepFactory(session_type=spravato, kind=CheckInKind.MOOD, day_offset=2, local_time=datetime.time(9, 30))
    consult = SessionTypeFactory(clinic=clinic, name="Consultation")
    CheckInStepFactory(session_type=consult, kind=CheckInKind.MOOD, is_active=False)
    plain = SessionTypeFactory(clinic=clinic, name="Created later")

    assert [(s.kind, s.day_offset) for s in checkin_plan_for(session_type=spravato)] == [("mood", 2)]
    assert checkin_plan_for(session_type=consult) == []
    assert checkin_plan_for(session_type=plain) == list(DEFAULT_PLAN)

    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        sprayed = completed_session(patient, spravato, ends_at=local(2026, 12, 7, 11))
        checkins_start_for(appointment=sprayed)
    assert [t.send_after for t in checkin_texts(sprayed)] == [local(2026, 12, 9, 9, 30)]


def test_a_session_marked_completed_late_skips_stale_steps_and_sends_just_missed_ones_now(
    infusion: SessionType, patient: Patient
) -> None:
    # Ended Monday 11:45, marked completed Tuesday 14:00: the home-safe text (Monday 19:00) is stale,
    # Tuesday's 10:00 mood question is four hours late (within the 6-hour grace): it goes now.
    with time_machine.travel(local(2026, 12, 8, 14), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)

    assert [(c.step_key, c.due_at) for c in CheckIn.objects.order_by("due_at")] == [
        ("mood:d1", local(2026, 12, 8, 14)),
        ("mood:d3", local(2026, 12, 10, 10)),
        ("phq2:d7", local(2026, 12, 14, 10)),
    ]


def test_a_series_does_not_ask_the_same_question_twice_in_a_day(infusion: SessionType, patient: Patient) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        monday = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=monday)
    with time_machine.travel(local(2026, 12, 9, 12), tick=False):
        wednesday = completed_session(patient, infusion, ends_at=local(2026, 12, 9, 11, 45))
        checkins_start_for(appointment=wednesday)

    # Monday's day-3 mood (Thursday 10:00) already asks what Wednesday's day-1 mood would.
    assert sorted(CheckIn.objects.filter(appointment=wednesday).values_list("step_key", flat=True)) == [
        "home_safe:d0",
        "mood:d3",
        "phq2:d7",
    ]


@pytest.mark.usefixtures("at_monday_noon")
def test_cancelling_withdraws_pending_checkins_and_their_texts(infusion: SessionType, patient: Patient) -> None:
    appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
    checkins_start_for(appointment=appointment)

    assert checkins_cancel_for(appointment=appointment) == 4
    assert checkins_cancel_for(appointment=appointment) == 0  # twice changes nothing more

    assert set(CheckIn.objects.values_list("status", flat=True)) == {CheckIn.Status.CANCELLED}
    assert {t.status for t in checkin_texts(appointment)} == {OutboundMessage.Status.CANCELLED}


@pytest.mark.usefixtures("at_monday_noon")
def test_a_checkin_text_is_suppressed_at_send_time_once_its_session_no_longer_stands(
    infusion: SessionType, patient: Patient
) -> None:
    appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
    checkins_start_for(appointment=appointment)
    text = checkin_texts(appointment)[0]
    assert cause_problem(text) == ""

    # Someone changed the status by hand, around the services: the send-time check still catches it.
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    assert cause_problem(text) == "appointment cancelled"
    CheckIn.objects.filter(message=text).update(status=CheckIn.Status.ANSWERED)
    assert cause_problem(text) == "check-in answered"


def test_only_completed_sessions_get_checkins(infusion: SessionType, patient: Patient) -> None:
    appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CHECKED_IN)
    appointment.refresh_from_db()
    assert checkins_start_for(appointment=appointment) == []


def test_a_checkin_text_held_up_past_its_grace_is_suppressed_at_send_time(
    infusion: SessionType, patient: Patient
) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)
    home_safe, mood = checkin_texts(appointment)[:2]  # Monday 19:00 and Tuesday 10:00

    # Workers down all evening: at 01:00 the home-safe question is still within its 6 hours...
    with time_machine.travel(local(2026, 12, 8, 0, 59), tick=False):
        assert cause_problem(home_safe) == ""
    # ...by Tuesday morning "Are you home safe?" about yesterday's visit makes no sense any more.
    with time_machine.travel(local(2026, 12, 8, 9), tick=False):
        assert cause_problem(home_safe) == "too late: due over 6 h ago"
        assert cause_problem(mood) == ""
    with time_machine.travel(local(2026, 12, 8, 16, 1), tick=False):
        assert cause_problem(mood) == "too late: due over 6 h ago"


def test_a_checkin_due_at_night_keeps_its_grace_from_the_morning(infusion: SessionType, patient: Patient) -> None:
    # The session ends at 21:00: home safe is due at 22:00, outside texting hours, so it can first go at 08:00.
    with time_machine.travel(local(2026, 12, 7, 21, 5), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 21))
        checkins_start_for(appointment=appointment)
    home_safe = checkin_texts(appointment)[0]
    assert home_safe.send_after == local(2026, 12, 7, 22)

    with time_machine.travel(local(2026, 12, 8, 13, 59), tick=False):
        assert cause_problem(home_safe) == ""
    with time_machine.travel(local(2026, 12, 8, 14, 1), tick=False):
        assert cause_problem(home_safe) == "too late: due over 6 h ago"
