"""Induction series: proposing dates, booking all or nothing, and moving one session within the plan.

"Now" is Tuesday 2026-12-01 08:00 (America/New_York); series start on Monday 2026-12-07. The plan is
six IV sessions at least 48 hours apart within 21 days; the provider works Monday to Friday 09-17.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, Series, SeriesPlan, SessionType, TimeOff
from clinic.scheduling.series import ProposedSession, SeriesSession, series_book, series_propose
from clinic.scheduling.services import (
    Booking,
    BookingConflict,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from tests.factories import (
    PatientFactory,
    ProviderFactory,
    SeriesPlanFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.clock import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

FIRST_DAY = datetime.date(2026, 12, 7)
GAP = datetime.timedelta(hours=48)


def dec(day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return local(2026, 12, day, hour, minute)


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(clinic=clinic)


@pytest.fixture
def plan(infusion: SessionType) -> SeriesPlan:
    return SeriesPlanFactory(session_type=infusion)


@pytest.fixture
def patient() -> Patient:
    return PatientFactory()


@pytest.fixture
def staff() -> User:
    return UserFactory(username="desk")


@pytest.fixture
def actor(staff: User) -> Actor:
    return Actor(user=staff, ip="198.51.100.4")


def propose(plan: SeriesPlan, patient: Patient, provider: Provider, **options: object) -> list[ProposedSession]:
    return series_propose(plan=plan, patient=patient, provider=provider, first_day=FIRST_DAY, **options)  # type: ignore[arg-type]


def starts(proposal: list[ProposedSession]) -> list[datetime.datetime]:
    return [session.starts_at for session in proposal]


def assert_keeps_the_plan(plan: SeriesPlan, times: list[datetime.datetime]) -> None:
    assert len(times) == plan.sessions
    assert times == sorted(times)
    assert all(
        later - earlier >= datetime.timedelta(hours=plan.min_gap_hours) for earlier, later in itertools.pairwise(times)
    )
    assert times[-1] - times[0] <= datetime.timedelta(days=plan.max_span_days)


def book_proposal(
    actor: Actor, plan: SeriesPlan, patient: Patient, provider: Provider, proposal: list[ProposedSession]
) -> tuple[Series, list[Appointment]]:
    rooms = {room.pk: room for room in Room.objects.all()}
    return series_book(
        actor=actor,
        plan=plan,
        patient=patient,
        provider=provider,
        sessions=[
            SeriesSession(starts_at=session.starts_at, room=rooms.get(session.room_id or 0)) for session in proposal
        ],
    )


# --- Proposing -------------------------------------------------------------------------------


def test_a_plain_proposal_takes_the_first_slot_every_other_weekday(
    plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    proposal = propose(plan, patient, provider)
    # Saturday the 12th is skipped: the fourth session moves to Monday.
    assert starts(proposal) == [dec(7), dec(9), dec(11), dec(14), dec(16), dec(18)]
    assert [session.position for session in proposal] == [1, 2, 3, 4, 5, 6]
    assert all(session.room_id == chair.pk for session in proposal)
    assert all(session.ends_at - session.starts_at == datetime.timedelta(minutes=105) for session in proposal)
    assert_keeps_the_plan(plan, starts(proposal))
    assert not Appointment.objects.exists()
    assert not Series.objects.exists()


def test_a_proposal_keeps_the_preferred_time_when_it_can(
    plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    proposal = propose(plan, patient, provider, preferred_time=datetime.time(13, 30))
    assert starts(proposal) == [dec(day, 13, 30) for day in (7, 9, 11, 14, 16, 18)]
    assert_keeps_the_plan(plan, starts(proposal))


def test_a_proposal_skips_days_off_full_days_and_the_patients_own_sessions(
    clinic: Clinic, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room, infusion: SessionType
) -> None:
    # Monday 09:00-10:45 the patient is with someone else: the first session comes after.
    appointment_book(
        actor=Actor(user=None),
        booking=Booking(
            patient=patient,
            provider=ProviderFactory(clinic=clinic),
            session_type=infusion,
            starts_at=dec(7),
            room=chair,
        ),
    )
    # Wednesday the provider is fully booked; Thursday they are off all day.
    full_day = SessionTypeFactory(clinic=clinic, duration_minutes=480, monitoring_minutes=0, needs_chair=False)
    appointment_book(
        actor=Actor(user=None),
        booking=Booking(patient=PatientFactory(), provider=provider, session_type=full_day, starts_at=dec(9)),
    )
    TimeOff.objects.create(provider=provider, starts_at=dec(10, 0), ends_at=dec(11, 0), reason="training")

    proposal = propose(plan, patient, provider)
    assert starts(proposal) == [dec(7, 10, 45), dec(11), dec(14), dec(16), dec(18), dec(21)]
    assert_keeps_the_plan(plan, starts(proposal))


def test_a_proposal_never_closer_than_the_gap_even_at_odd_times(
    clinic: Clinic, infusion: SessionType, patient: Patient, chair: Room
) -> None:
    every_day = ProviderFactory(clinic=clinic, hours=[(day, datetime.time(7), datetime.time(20)) for day in range(7)])
    plan = SeriesPlanFactory(session_type=infusion, sessions=8, min_gap_hours=30, max_span_days=14)
    proposal = propose(plan, patient, every_day, preferred_time=datetime.time(19))
    assert_keeps_the_plan(plan, starts(proposal))
    assert all(
        later - earlier >= datetime.timedelta(hours=30) for earlier, later in itertools.pairwise(starts(proposal))
    )


def test_a_plan_that_cannot_fit_its_span_fails_clearly(
    infusion: SessionType, patient: Patient, provider: Provider, chair: Room
) -> None:
    tight = SeriesPlanFactory(session_type=infusion, sessions=6, min_gap_hours=48, max_span_days=7)
    with pytest.raises(ValidationError) as caught:
        propose(tight, patient, provider)
    message = caught.value.message_dict["first_day"][0]
    # Monday, Wednesday, Friday, Monday fit in seven days; the fifth would be on day nine.
    assert message.startswith("Only 4 of the 6 sessions fit within 7 days of 2026-12-07")


def test_a_provider_with_no_time_at_all_fails_clearly(
    clinic: Clinic, plan: SeriesPlan, patient: Patient, chair: Room
) -> None:
    weekends_only = ProviderFactory(clinic=clinic, hours=[(5, datetime.time(9), datetime.time(12))])
    TimeOff.objects.create(provider=weekends_only, starts_at=dec(1), ends_at=dec(31))
    with pytest.raises(ValidationError, match="Only 0 of the 6 sessions"):
        propose(plan, patient, weekends_only)


def test_a_proposal_never_starts_in_the_past(
    plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    with time_machine.travel(dec(7, 12, 5), tick=False):
        proposal = propose(plan, patient, provider)
    assert proposal[0].starts_at == dec(7, 12, 15)
    assert_keeps_the_plan(plan, starts(proposal))


# --- Booking --------------------------------------------------------------------------------


def test_a_proposal_books_as_one_series(
    actor: Actor, staff: User, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    proposal = propose(plan, patient, provider)
    series, appointments = book_proposal(actor, plan, patient, provider, proposal)
    assert (series.plan, series.patient, series.created_by) == (plan, patient, staff)
    assert [a.starts_at for a in appointments] == starts(proposal)
    assert [a.series_position for a in appointments] == [1, 2, 3, 4, 5, 6]
    assert {a.series_id for a in appointments} == {series.pk}
    assert all(a.room == chair and a.status == Appointment.Status.SCHEDULED for a in appointments)
    event = AuditEvent.objects.get(target_type="scheduling.Series")
    assert (event.action, event.target_id, event.detail) == ("create", str(series.pk), "series of 6 sessions")
    assert AuditEvent.objects.filter(target_type="scheduling.Appointment", detail="booked").count() == 6


def test_sessions_given_out_of_order_are_numbered_by_time(
    actor: Actor, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    times = [dec(18), dec(7), dec(14), dec(9), dec(16), dec(11)]
    _series, appointments = series_book(
        actor=actor,
        plan=plan,
        patient=patient,
        provider=provider,
        sessions=[SeriesSession(starts_at=time) for time in times],
    )
    assert [a.starts_at for a in appointments] == sorted(times)
    assert [a.series_position for a in appointments] == [1, 2, 3, 4, 5, 6]


def test_a_conflict_on_the_fourth_session_books_nothing(
    actor: Actor, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room, infusion: SessionType
) -> None:
    proposal = propose(plan, patient, provider)
    # Someone takes the fourth session's time after the proposal was made.
    appointment_book(
        actor=actor,
        booking=Booking(
            patient=PatientFactory(), provider=provider, session_type=infusion, starts_at=proposal[3].starts_at
        ),
    )
    before = (Appointment.objects.count(), AuditEvent.objects.count(), OutboundMessage.objects.count())
    with pytest.raises(BookingConflict, match=r"Dr\. Ada Stone is already booked from 2026-12-14 09:00"):
        book_proposal(actor, plan, patient, provider, proposal)
    assert not Series.objects.exists()
    assert not Appointment.objects.filter(patient=patient).exists()
    assert not OutboundMessage.objects.filter(patient=patient).exists()
    assert (Appointment.objects.count(), AuditEvent.objects.count(), OutboundMessage.objects.count()) == before


def test_a_rule_broken_by_the_last_session_books_nothing(
    actor: Actor, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    times = [dec(7), dec(9), dec(11), dec(14), dec(16), dec(18, 16)]  # the last one ends after 17:00
    with pytest.raises(ValidationError, match="does not work then"):
        series_book(
            actor=actor, plan=plan, patient=patient, provider=provider, sessions=[SeriesSession(t) for t in times]
        )
    assert not Series.objects.exists()
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("times", "message"),
    [
        pytest.param([dec(7), dec(9), dec(11), dec(14), dec(16)], "This plan has 6 sessions; 5 were given", id="count"),
        pytest.param([dec(7), dec(8), dec(11), dec(14), dec(16), dec(18)], "at least 48 hours apart", id="gap"),
        pytest.param([dec(7), dec(9), dec(11), dec(14), dec(16), dec(28, 9, 15)], "within 21 days", id="span"),
    ],
)
def test_series_book_checks_the_plan_first(
    actor: Actor,
    plan: SeriesPlan,
    patient: Patient,
    provider: Provider,
    chair: Room,
    times: list[datetime.datetime],
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        series_book(
            actor=actor, plan=plan, patient=patient, provider=provider, sessions=[SeriesSession(t) for t in times]
        )
    assert not Series.objects.exists()
    assert not Appointment.objects.exists()


def test_the_span_may_be_exactly_the_plans_days(
    actor: Actor, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    times = [dec(7), dec(9), dec(11), dec(14), dec(16), dec(28)]
    _series, appointments = series_book(
        actor=actor, plan=plan, patient=patient, provider=provider, sessions=[SeriesSession(t) for t in times]
    )
    assert len(appointments) == 6


def test_an_inactive_plan_cannot_be_booked(
    actor: Actor, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    plan.is_active = False
    plan.save()
    times = [dec(7), dec(9), dec(11), dec(14), dec(16), dec(18)]
    with pytest.raises(ValidationError, match="no longer offered"):
        series_book(
            actor=actor, plan=plan, patient=patient, provider=provider, sessions=[SeriesSession(t) for t in times]
        )


# --- Moving one session of a series ----------------------------------------------------------


@pytest.fixture
def booked_series(
    actor: Actor, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> list[Appointment]:
    """Sessions on December 7, 9, 11, 14, 16 and 18 at 09:00."""
    _series, appointments = book_proposal(actor, plan, patient, provider, propose(plan, patient, provider))
    return appointments


@pytest.mark.parametrize(
    ("position", "starts_at", "message"),
    [
        pytest.param(3, dec(10), "at least 48 hours apart", id="a day after the previous"),
        pytest.param(4, dec(15), "at least 48 hours apart", id="a day before the next"),
        pytest.param(2, dec(9, 9, 15), "at least 48 hours apart", id="47h45 before the next"),
        pytest.param(6, dec(28, 9, 15), "within 21 days", id="15 minutes past the span"),
    ],
)
def test_moving_a_session_keeps_the_series_rules(
    actor: Actor, booked_series: list[Appointment], position: int, starts_at: datetime.datetime, message: str
) -> None:
    appointment = booked_series[position - 1]
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        appointment_reschedule(actor=actor, appointment=appointment, starts_at=starts_at)
    appointment.refresh_from_db()
    assert appointment.starts_at == dec((7, 9, 11, 14, 16, 18)[position - 1])
    assert AuditEvent.objects.count() == audits


def test_moving_a_session_within_the_rules_works(actor: Actor, booked_series: list[Appointment]) -> None:
    last = appointment_reschedule(actor=actor, appointment=booked_series[5], starts_at=dec(28))
    assert last.starts_at == dec(28)  # exactly 21 days after the first
    third = appointment_reschedule(actor=actor, appointment=booked_series[2], starts_at=dec(11, 15, 15))
    assert third.starts_at == dec(11, 15, 15)


def test_a_cancelled_session_no_longer_constrains_its_neighbours(
    actor: Actor, booked_series: list[Appointment]
) -> None:
    with pytest.raises(ValidationError, match="48 hours"):
        appointment_reschedule(actor=actor, appointment=booked_series[2], starts_at=dec(10))
    appointment_cancel(actor=actor, appointment=booked_series[1], reason="patient travelling")
    moved = appointment_reschedule(actor=actor, appointment=booked_series[2], starts_at=dec(10))
    assert moved.starts_at == dec(10)
