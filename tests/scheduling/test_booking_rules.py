"""Every rule a booking keeps, checked through the services and, for overlaps, by PostgreSQL alone.

All times are in the clinic's zone (America/New_York). "Now" is Tuesday 2026-12-01 08:00; most
bookings land on Monday 2026-12-07, when the provider works 09:00-17:00.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.checkins.models import CheckIn
from clinic.messaging.models import OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import (
    PATIENT_OVERLAP_CONSTRAINT,
    PROVIDER_OVERLAP_CONSTRAINT,
    ROOM_OVERLAP_CONSTRAINT,
    Appointment,
    Clinic,
    Provider,
    Room,
    SessionType,
    TimeOff,
)
from clinic.scheduling.services import (
    ALLOWED_TRANSITIONS,
    Booking,
    BookingConflict,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_confirm,
    appointment_mark_no_show,
    appointment_reschedule,
)
from tests.factories import (
    ClinicFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.clock import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Status = Appointment.Status


NOW = local(2026, 12, 1, 8)
MONDAY = (2026, 12, 7)


def monday(hour: int, minute: int = 0) -> datetime.datetime:
    return local(*MONDAY, hour, minute)


@pytest.fixture
def other_provider(clinic: Clinic) -> Provider:
    return ProviderFactory(clinic=clinic, display_name="Dr. Ben Hale")


@pytest.fixture
def office(clinic: Clinic) -> Room:
    return RoomFactory(clinic=clinic, name="Office 1", is_treatment_chair=False)


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    """45 minutes in a chair, then 60 minutes of monitoring: 105 minutes in all."""
    return SessionTypeFactory(clinic=clinic)


def talk_type(clinic: Clinic, minutes: int) -> SessionType:
    return SessionTypeFactory(
        clinic=clinic,
        name=f"Integration {minutes}",
        duration_minutes=minutes,
        monitoring_minutes=0,
        needs_chair=False,
        needs_driver=False,
        fasting_hours=0,
    )


@pytest.fixture
def consult(clinic: Clinic) -> SessionType:
    return talk_type(clinic, 60)


@pytest.fixture
def patient() -> Patient:
    return PatientFactory(first_name="Zelda", last_name="Quinlan", phone="+16175559876")


@pytest.fixture
def other_patient() -> Patient:
    return PatientFactory(first_name="Yusuf", last_name="Okafor")


@pytest.fixture
def staff() -> User:
    return UserFactory(username="desk")


@pytest.fixture
def actor(staff: User) -> Actor:
    return Actor(user=staff, ip="203.0.113.9")


Book = Callable[..., Appointment]


@pytest.fixture
def book(actor: Actor) -> Book:
    def make(
        *,
        provider: Provider,
        patient: Patient,
        session_type: SessionType,
        starts_at: datetime.datetime,
        room: Room | None = None,
    ) -> Appointment:
        return appointment_book(
            actor=actor,
            booking=Booking(
                patient=patient, provider=provider, session_type=session_type, starts_at=starts_at, room=room
            ),
        )

    return make


def insert(
    *,
    provider: Provider,
    patient: Patient,
    session_type: SessionType,
    starts_at: datetime.datetime,
    room: Room | None = None,
    status: str = Status.SCHEDULED,
) -> Appointment:
    """Write a row directly, past every service check: only the database's constraints stand."""
    with transaction.atomic():
        return Appointment.objects.create(
            patient=patient,
            provider=provider,
            room=room,
            session_type=session_type,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=session_type.occupies_minutes),
            status=status,
        )


def assert_conflict(error: BookingConflict, *, resource: str, local_start: str, local_end: str) -> None:
    assert error.resource == resource
    assert f"{resource} is already booked from 2026-12-07 {local_start} to {local_end}" in str(error)
    assert "America/New_York" in str(error)


# --- Provider overlaps ----------------------------------------------------------------------

# The existing session holds the provider 11:00-12:00. (minutes, start) of the new one, and whether it fits.
PROVIDER_CASES = {
    "overlaps its start": (60, (10, 30), False),
    "overlaps its end": (60, (11, 30), False),
    "contained in it": (30, (11, 15), False),
    "contains it": (120, (10, 30), False),
    "same time": (60, (11, 0), False),
    "ends as it starts": (60, (10, 0), True),
    "starts as it ends": (60, (12, 0), True),
}


@pytest.mark.parametrize(("minutes", "start", "fits"), PROVIDER_CASES.values(), ids=PROVIDER_CASES.keys())
def test_a_provider_cannot_be_double_booked_but_back_to_back_is_fine(
    book: Book,
    clinic: Clinic,
    provider: Provider,
    consult: SessionType,
    patient: Patient,
    other_patient: Patient,
    minutes: int,
    start: tuple[int, int],
    fits: bool,
) -> None:
    book(provider=provider, patient=patient, session_type=consult, starts_at=monday(11))
    new = talk_type(clinic, minutes)
    if fits:
        booked = book(provider=provider, patient=other_patient, session_type=new, starts_at=monday(*start))
        assert booked.status == Status.SCHEDULED
        assert Appointment.objects.filter(provider=provider).count() == 2
        return
    with pytest.raises(BookingConflict) as caught:
        book(provider=provider, patient=other_patient, session_type=new, starts_at=monday(*start))
    assert_conflict(caught.value, resource="Dr. Ada Stone", local_start="11:00", local_end="12:00")
    assert Appointment.objects.filter(provider=provider).count() == 1


@pytest.mark.parametrize(("minutes", "start", "fits"), PROVIDER_CASES.values(), ids=PROVIDER_CASES.keys())
def test_the_database_alone_refuses_a_provider_overlap(
    clinic: Clinic,
    provider: Provider,
    consult: SessionType,
    patient: Patient,
    other_patient: Patient,
    minutes: int,
    start: tuple[int, int],
    fits: bool,
) -> None:
    insert(provider=provider, patient=patient, session_type=consult, starts_at=monday(11))
    new = talk_type(clinic, minutes)
    if fits:
        insert(provider=provider, patient=other_patient, session_type=new, starts_at=monday(*start))
        return
    with pytest.raises(IntegrityError, match=PROVIDER_OVERLAP_CONSTRAINT):
        insert(provider=provider, patient=other_patient, session_type=new, starts_at=monday(*start))


# --- Room and patient overlaps, monitoring ---------------------------------------------------


def test_a_chair_cannot_be_double_booked(
    book: Book,
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    infusion: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    with pytest.raises(BookingConflict) as caught:
        book(provider=other_provider, patient=other_patient, session_type=infusion, starts_at=monday(10), room=chair)
    assert_conflict(caught.value, resource="Chair A", local_start="10:00", local_end="11:45")


def test_the_database_alone_refuses_a_chair_overlap(
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    infusion: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    insert(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    with pytest.raises(IntegrityError, match=ROOM_OVERLAP_CONSTRAINT):
        insert(provider=other_provider, patient=other_patient, session_type=infusion, starts_at=monday(11), room=chair)
    # Rows without a room never collide on the room.
    insert(provider=provider, patient=other_patient, session_type=infusion, starts_at=monday(14))
    insert(provider=other_provider, patient=patient, session_type=infusion, starts_at=monday(14))


def test_a_patient_cannot_be_in_two_sessions_at_once(
    book: Book,
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    chair_b: Room,
    infusion: SessionType,
    consult: SessionType,
    patient: Patient,
) -> None:
    book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    with pytest.raises(BookingConflict) as caught:
        book(provider=other_provider, patient=patient, session_type=consult, starts_at=monday(11))
    assert_conflict(caught.value, resource="The patient", local_start="10:00", local_end="11:45")
    with pytest.raises(BookingConflict):
        book(provider=other_provider, patient=patient, session_type=infusion, starts_at=monday(9), room=chair_b)
    book(provider=other_provider, patient=patient, session_type=consult, starts_at=monday(11, 45))


def test_the_database_alone_refuses_a_patient_overlap(
    provider: Provider, other_provider: Provider, consult: SessionType, patient: Patient
) -> None:
    insert(provider=provider, patient=patient, session_type=consult, starts_at=monday(10))
    with pytest.raises(IntegrityError, match=PATIENT_OVERLAP_CONSTRAINT):
        insert(provider=other_provider, patient=patient, session_type=consult, starts_at=monday(10, 30))
    insert(provider=other_provider, patient=patient, session_type=consult, starts_at=monday(11))


def test_monitoring_holds_the_provider_and_the_chair(
    book: Book,
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    chair_b: Room,
    infusion: SessionType,
    consult: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    # 10:00-10:45 dosing, 10:45-11:45 monitoring.
    book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    with pytest.raises(BookingConflict, match=r"Dr\. Ada Stone is already booked"):
        book(provider=provider, patient=other_patient, session_type=consult, starts_at=monday(11))
    with pytest.raises(BookingConflict, match="Chair A is already booked"):
        book(
            provider=other_provider, patient=other_patient, session_type=infusion, starts_at=monday(11, 30), room=chair
        )
    # Once monitoring is over, both are free again.
    book(provider=provider, patient=other_patient, session_type=consult, starts_at=monday(11, 45))
    third = PatientFactory()
    book(provider=other_provider, patient=third, session_type=infusion, starts_at=monday(11, 45), room=chair)


def test_the_database_alone_counts_monitoring(
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    infusion: SessionType,
    consult: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    existing = insert(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    assert existing.ends_at == monday(11, 45)
    with pytest.raises(IntegrityError, match=PROVIDER_OVERLAP_CONSTRAINT):
        insert(provider=provider, patient=other_patient, session_type=consult, starts_at=monday(11, 30))
    with pytest.raises(IntegrityError, match=ROOM_OVERLAP_CONSTRAINT):
        insert(
            provider=other_provider, patient=other_patient, session_type=infusion, starts_at=monday(11, 30), room=chair
        )


# --- Working hours, time off, the past ------------------------------------------------------


@pytest.mark.parametrize(
    "starts_at",
    [
        pytest.param(monday(8, 45), id="starts before the day"),
        pytest.param(monday(15, 30), id="monitoring runs past the end"),
        pytest.param(monday(16, 30), id="dosing runs past the end"),
        pytest.param(local(2026, 12, 12, 10), id="saturday"),
        pytest.param(local(2026, 12, 13, 10), id="sunday"),
        pytest.param(local(2026, 12, 8, 3), id="at night"),
    ],
)
def test_a_session_must_fit_in_working_hours_with_its_monitoring(
    book: Book,
    provider: Provider,
    chair: Room,
    infusion: SessionType,
    patient: Patient,
    starts_at: datetime.datetime,
) -> None:
    with pytest.raises(ValidationError) as caught:
        book(provider=provider, patient=patient, session_type=infusion, starts_at=starts_at, room=chair)
    assert "does not work then" in str(caught.value.message_dict["starts_at"])
    assert not Appointment.objects.exists()


def test_the_first_and_last_sessions_of_the_day_fit_exactly(
    book: Book, provider: Provider, chair: Room, chair_b: Room, infusion: SessionType, patient: Patient
) -> None:
    first = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(9), room=chair)
    last = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(15, 15), room=chair_b)
    assert first.starts_at == monday(9)
    assert last.ends_at == monday(17)


def test_split_shift_refuses_the_gap_between_blocks(
    book: Book, clinic: Clinic, consult: SessionType, patient: Patient
) -> None:
    split = ProviderFactory(
        clinic=clinic,
        hours=[(0, datetime.time(8), datetime.time(12)), (0, datetime.time(13), datetime.time(18))],
    )
    book(provider=split, patient=patient, session_type=consult, starts_at=monday(11))
    with pytest.raises(ValidationError, match="does not work then"):
        book(provider=split, patient=PatientFactory(), session_type=consult, starts_at=monday(12, 30))
    book(provider=split, patient=PatientFactory(), session_type=consult, starts_at=monday(13))
    book(provider=split, patient=PatientFactory(), session_type=consult, starts_at=monday(17))


def test_time_off_refuses_any_overlap_with_the_stay(
    book: Book, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    TimeOff.objects.create(provider=provider, starts_at=monday(12), ends_at=monday(14), reason="conference")
    for starts_at in (monday(11), monday(12), monday(13, 45)):
        with pytest.raises(ValidationError, match="is off at that time"):
            book(provider=provider, patient=patient, session_type=infusion, starts_at=starts_at, room=chair)
    book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10, 15), room=chair)
    book(provider=provider, patient=PatientFactory(), session_type=infusion, starts_at=monday(14), room=chair)


def test_a_time_in_the_past_is_refused(
    book: Book, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    with time_machine.travel(monday(10, 1), tick=False):
        for starts_at in (monday(9), monday(10), local(2026, 11, 30, 10)):
            with pytest.raises(ValidationError, match="That time has passed"):
                book(provider=provider, patient=patient, session_type=infusion, starts_at=starts_at, room=chair)
        book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10, 15), room=chair)


def test_a_start_without_a_time_zone_is_refused(
    book: Book, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    with pytest.raises(ValidationError):
        book(
            provider=provider,
            patient=patient,
            session_type=infusion,
            starts_at=datetime.datetime(2026, 12, 7, 10),
            room=chair,
        )


# --- Rooms and chairs -------------------------------------------------------------------------


def test_a_chair_session_gets_the_first_free_chair(
    book: Book,
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    chair_b: Room,
    office: Room,
    infusion: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    first = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10))
    second = book(provider=other_provider, patient=other_patient, session_type=infusion, starts_at=monday(10, 30))
    assert (first.room, second.room) == (chair, chair_b)


def test_a_chair_session_without_a_free_chair_is_refused(
    book: Book,
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    office: Room,
    infusion: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10))
    with pytest.raises((ValidationError, BookingConflict), match="chair") as caught:
        book(provider=other_provider, patient=other_patient, session_type=infusion, starts_at=monday(11))
    assert "chair" in str(caught.value).lower()
    assert Appointment.objects.count() == 1


def test_no_free_chair_is_a_conflict_naming_the_busy_time(
    book: Book,
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    infusion: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10))
    with pytest.raises(BookingConflict):
        book(provider=other_provider, patient=other_patient, session_type=infusion, starts_at=monday(11))


def test_a_chair_session_needs_a_treatment_chair(
    book: Book, provider: Provider, office: Room, infusion: SessionType, patient: Patient
) -> None:
    with pytest.raises(ValidationError) as caught:
        book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=office)
    assert "treatment chair" in caught.value.message_dict["room"][0]
    # Without any chair in the clinic, the automatic choice finds none either.
    with pytest.raises(ValidationError, match="chair"):
        book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10))


def test_a_talk_session_may_use_an_office_or_no_room(
    book: Book, provider: Provider, office: Room, consult: SessionType, patient: Patient
) -> None:
    in_office = book(provider=provider, patient=patient, session_type=consult, starts_at=monday(10), room=office)
    nowhere = book(provider=provider, patient=patient, session_type=consult, starts_at=monday(11))
    assert (in_office.room, nowhere.room) == (office, None)


def test_inactive_provider_session_type_or_room_are_refused(
    book: Book, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    provider.is_active = False
    provider.save()
    with pytest.raises(ValidationError) as caught:
        book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    assert "provider" in caught.value.message_dict
    provider.is_active = True
    provider.save()

    infusion.is_active = False
    infusion.save()
    with pytest.raises(ValidationError) as caught:
        book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    assert "session_type" in caught.value.message_dict
    infusion.is_active = True
    infusion.save()

    chair.is_active = False
    chair.save()
    with pytest.raises(ValidationError) as caught:
        book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    assert "room" in caught.value.message_dict
    assert not Appointment.objects.exists()


def test_a_provider_or_room_of_another_clinic_is_refused(
    book: Book, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    elsewhere = ClinicFactory(name="Elsewhere")
    with pytest.raises(ValidationError) as caught:
        book(provider=ProviderFactory(clinic=elsewhere), patient=patient, session_type=infusion, starts_at=monday(10))
    assert "provider" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        book(
            provider=provider,
            patient=patient,
            session_type=infusion,
            starts_at=monday(10),
            room=RoomFactory(clinic=elsewhere),
        )
    assert "room" in caught.value.message_dict


# --- Cancelled and missed sessions free their time ------------------------------------------


def test_a_cancelled_session_frees_provider_chair_and_patient(
    book: Book, actor: Actor, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    first = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    appointment_cancel(actor=actor, appointment=first, reason="patient unwell")
    again = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    assert again.pk != first.pk
    # A cancelled row can never come back over the new one, even written directly.
    with pytest.raises(IntegrityError, match="no_overlap"), transaction.atomic():
        Appointment.objects.filter(pk=first.pk).update(status=Status.SCHEDULED)


def test_a_no_show_frees_the_rest_of_its_time(
    book: Book,
    actor: Actor,
    provider: Provider,
    chair: Room,
    infusion: SessionType,
    consult: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    missed = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    with time_machine.travel(monday(10, 20), tick=False):
        appointment_mark_no_show(actor=actor, appointment=missed)
        walk_in = book(provider=provider, patient=other_patient, session_type=infusion, starts_at=monday(10, 30))
    assert walk_in.room == chair
    assert walk_in.starts_at < missed.ends_at


def test_the_database_ignores_cancelled_and_no_show_rows(
    provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    for status in (Status.CANCELLED, Status.NO_SHOW, Status.CANCELLED):
        insert(
            provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair, status=status
        )
    insert(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    for status in (Status.SCHEDULED, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED):
        with pytest.raises(IntegrityError, match="no_overlap"):
            insert(
                provider=provider,
                patient=patient,
                session_type=infusion,
                starts_at=monday(10),
                room=chair,
                status=status,
            )


# --- Transitions ------------------------------------------------------------------------------

# Written out here, not read from the code: the test states the intended life of a session.
EXPECTED_TRANSITIONS = {
    Status.SCHEDULED: {Status.CONFIRMED, Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
    Status.CONFIRMED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
    Status.CHECKED_IN: {Status.COMPLETED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
    Status.NO_SHOW: set(),
}
DURING_THE_SESSION = monday(10, 30)


def run_transition(actor: Actor, appointment: Appointment, to_status: str) -> Appointment:
    """Each move at a moment its time rule allows, so only the status table decides here."""
    if to_status == Status.CONFIRMED:
        return appointment_confirm(actor=actor, appointment=appointment)
    if to_status == Status.CHECKED_IN:
        return appointment_check_in(actor=actor, appointment=appointment, now=DURING_THE_SESSION)
    if to_status == Status.COMPLETED:
        return appointment_complete(actor=actor, appointment=appointment, now=DURING_THE_SESSION)
    if to_status == Status.CANCELLED:
        return appointment_cancel(actor=actor, appointment=appointment, reason="clinic closed")
    if to_status == Status.NO_SHOW:
        return appointment_mark_no_show(actor=actor, appointment=appointment, now=DURING_THE_SESSION)
    raise AssertionError(to_status)


def test_the_transition_table_is_the_intended_one() -> None:
    assert {status: set(targets) for status, targets in ALLOWED_TRANSITIONS.items()} == EXPECTED_TRANSITIONS


@pytest.mark.parametrize("from_status", list(Status))
@pytest.mark.parametrize(
    "to_status", [Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW]
)
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    book: Book,
    actor: Actor,
    staff: User,
    provider: Provider,
    chair: Room,
    infusion: SessionType,
    patient: Patient,
    from_status: str,
    to_status: str,
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    Appointment.objects.filter(pk=appointment.pk).update(status=from_status)
    audits_before = AuditEvent.objects.count()

    if to_status in EXPECTED_TRANSITIONS[from_status]:
        moved = run_transition(actor, appointment, to_status)
        assert moved.status == to_status
        appointment.refresh_from_db()
        assert appointment.status == to_status
        assert appointment.updated_by == staff
        event = AuditEvent.objects.latest("id")
        assert AuditEvent.objects.count() == audits_before + 1
        assert (event.action, event.target_type, event.target_id) == (
            AuditEvent.Action.UPDATE,
            "scheduling.Appointment",
            str(appointment.pk),
        )
        assert event.actor == staff
        assert event.ip_address == "203.0.113.9"
        assert f"{from_status} -> {to_status}" in event.detail
        return

    with pytest.raises(ValidationError) as caught:
        run_transition(actor, appointment, to_status)
    assert "status" in caught.value.message_dict
    appointment.refresh_from_db()
    assert appointment.status == from_status
    assert AuditEvent.objects.count() == audits_before


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_cancelling_needs_a_reason(
    book: Book, actor: Actor, provider: Provider, chair: Room, infusion: SessionType, patient: Patient, reason: str
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    with pytest.raises(ValidationError) as caught:
        appointment_cancel(actor=actor, appointment=appointment, reason=reason)
    assert "reason" in caught.value.message_dict
    appointment.refresh_from_db()
    assert appointment.status == Status.SCHEDULED


def test_cancelling_keeps_the_reason_trimmed_and_bounded(
    book: Book, actor: Actor, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    appointment_cancel(actor=actor, appointment=appointment, reason="  " + "x" * 500 + "  ")
    appointment.refresh_from_db()
    assert appointment.cancellation_reason == "x" * 200


def test_a_no_show_cannot_be_marked_before_the_start(
    book: Book, actor: Actor, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    with pytest.raises(ValidationError, match="not started yet"):
        appointment_mark_no_show(actor=actor, appointment=appointment, now=monday(9, 59))
    with time_machine.travel(monday(9, 59), tick=False), pytest.raises(ValidationError, match="not started yet"):
        appointment_mark_no_show(actor=actor, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == Status.SCHEDULED
    with time_machine.travel(monday(10), tick=False):
        appointment_mark_no_show(actor=actor, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == Status.NO_SHOW


# --- The clock's rules: confirm or cancel before the start, check in on the day, complete after ---

CLOCK_RULES = [
    ("confirm", monday(9, 59), ""),
    ("confirm", monday(10), "started at Mon 2026-12-07 10:00 (America/New_York): it can no longer be confirmed"),
    ("cancel", monday(9, 59), ""),
    ("cancel", monday(10), "mark it a no-show"),
    # 23:59 on Sunday in the clinic is already Monday in UTC: still the day before.
    ("check_in", local(2026, 12, 6, 23, 59), "only be checked in on its day: this one is on Mon 2026-12-07"),
    ("check_in", monday(0, 1), ""),
    ("check_in", monday(23, 59), ""),
    ("check_in", local(2026, 12, 8, 0, 1), "was on Mon 2026-12-07 (America/New_York): it can no longer be checked in"),
    ("complete", monday(9, 59), "cannot be completed before it starts"),
    ("complete", monday(10), ""),
    ("no_show", monday(9, 59), "not started yet"),
    ("no_show", monday(10), ""),
]


@pytest.mark.parametrize(("operation", "moment", "refusal"), CLOCK_RULES)
def test_the_clock_decides_when_a_session_moves_along(
    book: Book,
    actor: Actor,
    provider: Provider,
    chair: Room,
    infusion: SessionType,
    patient: Patient,
    operation: str,
    moment: datetime.datetime,
    refusal: str,
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    if operation == "complete":
        Appointment.objects.filter(pk=appointment.pk).update(status=Status.CHECKED_IN)
    calls: dict[str, Callable[[], Appointment]] = {
        "confirm": lambda: appointment_confirm(actor=actor, appointment=appointment),
        "cancel": lambda: appointment_cancel(actor=actor, appointment=appointment, reason="patient asked"),
        "check_in": lambda: appointment_check_in(actor=actor, appointment=appointment),
        "complete": lambda: appointment_complete(actor=actor, appointment=appointment),
        "no_show": lambda: appointment_mark_no_show(actor=actor, appointment=appointment),
    }
    before = Appointment.objects.values_list("status", flat=True).get(pk=appointment.pk)
    audits = AuditEvent.objects.count()

    with time_machine.travel(moment, tick=False):
        if not refusal:
            assert calls[operation]().status != before
            return
        with pytest.raises(ValidationError) as caught:
            calls[operation]()

    assert refusal in caught.value.message_dict["status"][0]
    appointment.refresh_from_db()
    assert appointment.status == before
    assert AuditEvent.objects.count() == audits


def test_a_session_completed_the_day_before_it_happens_starts_no_check_ins(
    book: Book, actor: Actor, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.CHECKED_IN)  # however it got there

    with pytest.raises(ValidationError, match="before it starts"):
        appointment_complete(actor=actor, appointment=appointment, now=local(2026, 12, 6, 16))

    assert not CheckIn.objects.filter(appointment=appointment).exists()
    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.CHECKIN).exists()


# --- Rescheduling -----------------------------------------------------------------------------


def test_rescheduling_moves_the_whole_stay_and_asks_for_confirmation_again(
    book: Book, actor: Actor, staff: User, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    appointment_confirm(actor=actor, appointment=appointment)
    Appointment.objects.filter(pk=appointment.pk).update(driver_confirmed=True)

    # Overlapping its own old time is fine: it is not a conflict with itself.
    moved = appointment_reschedule(actor=actor, appointment=appointment, starts_at=monday(10, 30))
    moved.refresh_from_db()
    assert (moved.starts_at, moved.ends_at) == (monday(10, 30), monday(12, 15))
    assert moved.status == Status.SCHEDULED
    assert moved.driver_confirmed is False
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.target_id, event.actor) == (AuditEvent.Action.UPDATE, str(moved.pk), staff)
    assert "rescheduled" in event.detail


def test_rescheduling_keeps_every_booking_rule(
    book: Book,
    actor: Actor,
    provider: Provider,
    other_provider: Provider,
    chair: Room,
    chair_b: Room,
    infusion: SessionType,
    consult: SessionType,
    patient: Patient,
    other_patient: Patient,
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(9), room=chair)
    book(provider=provider, patient=other_patient, session_type=consult, starts_at=monday(13))
    book(provider=other_provider, patient=other_patient, session_type=infusion, starts_at=monday(15), room=chair)
    TimeOff.objects.create(provider=provider, starts_at=local(2026, 12, 8, 9), ends_at=local(2026, 12, 8, 12))

    refused: list[tuple[datetime.datetime, type[Exception], str]] = [
        (monday(12), BookingConflict, "Dr. Ada Stone is already booked from 2026-12-07 13:00"),
        (monday(15, 30), ValidationError, "does not work then"),
        (local(2026, 12, 12, 10), ValidationError, "does not work then"),
        (local(2026, 12, 8, 10), ValidationError, "is off at that time"),
        (local(2026, 11, 30, 10), ValidationError, "That time has passed"),
    ]
    for starts_at, error, message in refused:
        with pytest.raises(error, match=message):
            appointment_reschedule(actor=actor, appointment=appointment, starts_at=starts_at)
        appointment.refresh_from_db()
        assert appointment.starts_at == monday(9)

    # Asking for a chair that is busy then is a conflict naming it.
    with pytest.raises(BookingConflict, match="Chair A is already booked from 2026-12-07 15:00"):
        appointment_reschedule(actor=actor, appointment=appointment, starts_at=monday(14, 30), room=chair)

    # The same times work with another provider, or, without naming a chair, in the one still free.
    moved = appointment_reschedule(actor=actor, appointment=appointment, starts_at=monday(12), provider=other_provider)
    assert (moved.provider, moved.room, moved.starts_at) == (other_provider, chair, monday(12))
    moved = appointment_reschedule(actor=actor, appointment=appointment, starts_at=monday(14, 30), provider=provider)
    assert (moved.provider, moved.room, moved.starts_at) == (provider, chair_b, monday(14, 30))


@pytest.mark.parametrize("status", [Status.CHECKED_IN, Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW])
def test_only_scheduled_or_confirmed_sessions_can_be_moved(
    book: Book, actor: Actor, provider: Provider, chair: Room, infusion: SessionType, patient: Patient, status: str
) -> None:
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="cannot be moved"):
        appointment_reschedule(actor=actor, appointment=appointment, starts_at=monday(13))
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.status) == (monday(10), status)
    assert AuditEvent.objects.count() == audits


# --- Audit and idempotence ------------------------------------------------------------------


def test_every_operation_is_audited_without_patient_data(
    book: Book, actor: Actor, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    secret_reason = "Zelda's depression worse after divorce"
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    appointment = appointment_reschedule(actor=actor, appointment=appointment, starts_at=monday(11))
    appointment = appointment_confirm(actor=actor, appointment=appointment)
    appointment = appointment_check_in(actor=actor, appointment=appointment, now=monday(10, 45))
    appointment = appointment_complete(actor=actor, appointment=appointment, now=monday(13))
    other = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(14), room=chair)
    appointment_cancel(actor=actor, appointment=other, reason=secret_reason)
    missed = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(14), room=chair)
    appointment_mark_no_show(actor=actor, appointment=missed, now=monday(14, 5))

    events = list(AuditEvent.objects.filter(target_type="scheduling.Appointment").order_by("id"))
    assert [(event.action, event.detail.split(":")[0].split(",")[0]) for event in events] == [
        ("create", "booked"),
        ("update", "rescheduled"),
        ("update", "status scheduled -> confirmed"),
        ("update", "status confirmed -> checked_in"),
        ("update", "status checked_in -> completed"),
        ("create", "booked"),
        ("update", "status scheduled -> cancelled"),
        ("create", "booked"),
        ("update", "status scheduled -> no_show"),
    ]
    forbidden = [patient.first_name, patient.last_name, patient.phone, "1985", "depression", "divorce", "Zelda"]
    for event in AuditEvent.objects.all():
        for word in forbidden:
            assert word.lower() not in event.detail.lower(), (event.detail, word)


def test_running_an_operation_twice_refuses_clearly_and_changes_nothing(
    book: Book, actor: Actor, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    def snapshot(appointment: Appointment) -> tuple[object, ...]:
        appointment.refresh_from_db()
        return (
            appointment.status,
            appointment.cancellation_reason,
            appointment.updated_at,
            AuditEvent.objects.count(),
            list(OutboundMessage.objects.order_by("id").values_list("id", "status")),
        )

    operations: list[tuple[str, Callable[[Appointment], object], str]] = [
        ("confirm", lambda a: appointment_confirm(actor=actor, appointment=a), "confirmed session cannot become"),
        (
            "check in",
            lambda a: appointment_check_in(actor=actor, appointment=a, now=monday(9, 50)),
            "checked in session cannot become",
        ),
        (
            "complete",
            lambda a: appointment_complete(actor=actor, appointment=a, now=DURING_THE_SESSION),
            "completed session cannot become",
        ),
    ]
    appointment = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    for _name, operation, message in operations:
        operation(appointment)
        before = snapshot(appointment)
        with pytest.raises(ValidationError, match=message):
            operation(appointment)
        assert snapshot(appointment) == before

    cancelled = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(14), room=chair)
    appointment_cancel(actor=actor, appointment=cancelled, reason="first reason")
    before = snapshot(cancelled)
    with pytest.raises(ValidationError, match="cancelled session cannot become cancelled"):
        appointment_cancel(actor=actor, appointment=cancelled, reason="second reason")
    assert snapshot(cancelled) == before
    assert cancelled.cancellation_reason == "first reason"

    missed = book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(14), room=chair)
    appointment_mark_no_show(actor=actor, appointment=missed, now=monday(14, 10))
    before = snapshot(missed)
    with pytest.raises(ValidationError, match="no-show session cannot become no-show"):
        appointment_mark_no_show(actor=actor, appointment=missed, now=monday(14, 10))
    assert snapshot(missed) == before


def test_booking_the_same_request_twice_is_a_conflict_and_writes_nothing(
    book: Book, provider: Provider, chair: Room, infusion: SessionType, patient: Patient
) -> None:
    book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    counts = (Appointment.objects.count(), AuditEvent.objects.count(), OutboundMessage.objects.count())
    with pytest.raises(BookingConflict):
        book(provider=provider, patient=patient, session_type=infusion, starts_at=monday(10), room=chair)
    assert (Appointment.objects.count(), AuditEvent.objects.count(), OutboundMessage.objects.count()) == counts
