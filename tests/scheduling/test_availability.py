"""Free start times: the grid, working hours, bookings, time off, rooms, patients, DST, and agreement
with the booking service (every offered slot can be booked; nothing else can).

"Now" is Tuesday 2026-12-01 08:00 in America/New_York unless a test moves it.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from pytest_django.fixtures import Settings

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.availability import BusyTimes, Slot, availability_for, working_hours_contain
from clinic.scheduling.models import Appointment, Provider, Room, SessionType, TimeOff
from clinic.scheduling.services import Booking, BookingConflict, appointment_book, appointment_reschedule
from tests.factories import PatientFactory, ProviderFactory, SessionTypeFactory
from tests.support.clock import NY, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

UTC = datetime.UTC
NOBODY = Actor(user=None)
MONDAY = datetime.date(2026, 12, 7)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def monday(hour: int, minute: int = 0) -> datetime.datetime:
    return local(2026, 12, 7, hour, minute)


@pytest.fixture
def other_provider(clinic: Clinic) -> Provider:
    return ProviderFactory(clinic=clinic, display_name="Dr. Ben Hale")


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(clinic=clinic)


@pytest.fixture
def consult(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(
        clinic=clinic, name="Integration", duration_minutes=60, monitoring_minutes=0, needs_chair=False
    )


def slots_for(
    session_type: SessionType,
    provider: Provider,
    first: datetime.date,
    last: datetime.date | None = None,
    **options: object,
) -> list[Slot]:
    return availability_for(
        session_type=session_type,
        provider=provider,
        date_from=first,
        date_to=last or first,
        tz=NY,
        **options,  # type: ignore[arg-type]
    )


def local_starts(slots: list[Slot]) -> list[str]:
    return [f"{slot.starts_at.astimezone(NY):%H:%M}" for slot in slots]


def grid(first: str, last: str) -> list[str]:
    """Local HH:MM every 15 minutes from first to last, both included."""
    start = datetime.datetime.strptime(first, "%H:%M")
    end = datetime.datetime.strptime(last, "%H:%M")
    times = []
    while start <= end:
        times.append(f"{start:%H:%M}")
        start += datetime.timedelta(minutes=15)
    return times


def book(
    provider: Provider,
    session_type: SessionType,
    starts_at: datetime.datetime,
    *,
    patient: Patient | None = None,
    room: Room | None = None,
) -> Appointment:
    return appointment_book(
        actor=NOBODY,
        booking=Booking(
            patient=patient or PatientFactory(),
            provider=provider,
            session_type=session_type,
            starts_at=starts_at,
            room=room,
        ),
    )


# --- The grid and working hours ---------------------------------------------------------------


def test_slots_sit_on_the_15_minute_grid_inside_working_hours(
    provider: Provider, chair: Room, chair_b: Room, infusion: SessionType
) -> None:
    slots = slots_for(infusion, provider, MONDAY, MONDAY + datetime.timedelta(days=6))
    by_day: dict[datetime.date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.starts_at.astimezone(NY).date(), []).append(slot)
    # Monday to Friday only; the 105-minute stay must end by 17:00, so the last start is 15:15.
    assert sorted(by_day) == [MONDAY + datetime.timedelta(days=n) for n in range(5)]
    for day_slots in by_day.values():
        assert local_starts(day_slots) == grid("09:00", "15:15")
    for slot in slots:
        assert slot.starts_at.tzinfo is not None
        assert slot.ends_at - slot.starts_at == datetime.timedelta(minutes=105)
        assert slot.provider_id == provider.pk
        assert set(slot.room_ids) == {chair.pk, chair_b.pk}
    assert slots == sorted(slots, key=lambda slot: slot.starts_at)


def test_the_grid_follows_the_slot_setting(settings: Settings, provider: Provider, consult: SessionType) -> None:
    settings.SCHEDULING_SLOT_MINUTES = 30
    assert local_starts(slots_for(consult, provider, MONDAY)) == [
        f"{hour:02d}:{minute:02d}" for hour in range(9, 16) for minute in (0, 30)
    ] + ["16:00"]


def test_a_session_without_a_chair_needs_no_room(provider: Provider, consult: SessionType) -> None:
    slots = slots_for(consult, provider, MONDAY)
    assert local_starts(slots) == grid("09:00", "16:00")
    assert all(slot.room_ids == () for slot in slots)


def test_a_chair_session_without_any_chair_has_no_slots(provider: Provider, infusion: SessionType) -> None:
    assert slots_for(infusion, provider, MONDAY) == []


def test_split_shifts_offer_both_blocks_and_nothing_between(clinic: Clinic, consult: SessionType) -> None:
    split = ProviderFactory(
        clinic=clinic,
        hours=[(0, datetime.time(8), datetime.time(12)), (0, datetime.time(13), datetime.time(18))],
    )
    assert local_starts(slots_for(consult, split, MONDAY)) == grid("08:00", "11:00") + grid("13:00", "17:00")


def test_overlapping_blocks_offer_each_start_once(clinic: Clinic, consult: SessionType) -> None:
    doubled = ProviderFactory(
        clinic=clinic,
        hours=[(0, datetime.time(9), datetime.time(12)), (0, datetime.time(11), datetime.time(14))],
    )
    # A stay may not straddle two blocks: 11:15 fits only the second block, which is enough.
    assert local_starts(slots_for(consult, doubled, MONDAY)) == grid("09:00", "13:00")


# --- Bookings, monitoring, time off, the past ---------------------------------------------------


def test_bookings_with_their_monitoring_are_not_offered(
    provider: Provider, chair: Room, chair_b: Room, infusion: SessionType
) -> None:
    book(provider, infusion, monday(10), room=chair)  # holds the provider 10:00-11:45
    # A new 105-minute stay must end by 10:00 (impossible after 09:00) or start at 11:45.
    assert local_starts(slots_for(infusion, provider, MONDAY)) == grid("11:45", "15:15")


def test_cancelled_bookings_are_offered_again(provider: Provider, chair: Room, infusion: SessionType) -> None:
    appointment = book(provider, infusion, monday(10), room=chair)
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    assert local_starts(slots_for(infusion, provider, MONDAY)) == grid("09:00", "15:15")


def test_time_off_is_not_offered(provider: Provider, consult: SessionType) -> None:
    wednesday = datetime.date(2026, 12, 9)
    TimeOff.objects.create(provider=provider, starts_at=local(2026, 12, 9, 12), ends_at=local(2026, 12, 9, 14))
    TimeOff.objects.create(provider=provider, starts_at=local(2026, 12, 10, 0), ends_at=local(2026, 12, 11, 0))
    assert local_starts(slots_for(consult, provider, wednesday)) == grid("09:00", "11:00") + grid("14:00", "16:00")
    assert slots_for(consult, provider, datetime.date(2026, 12, 10)) == []


def test_past_times_are_not_offered(provider: Provider, consult: SessionType) -> None:
    with time_machine.travel(monday(10, 5), tick=False):
        assert local_starts(slots_for(consult, provider, MONDAY)) == grid("10:15", "16:00")
    with time_machine.travel(monday(10), tick=False):
        assert local_starts(slots_for(consult, provider, MONDAY))[0] == "10:15"
    assert local_starts(slots_for(consult, provider, MONDAY, now=monday(15, 59)))[0] == "16:00"


def test_a_booking_late_the_day_before_is_seen_across_midnight(clinic: Clinic, consult: SessionType) -> None:
    night = ProviderFactory(
        clinic=clinic, hours=[(0, datetime.time(20), datetime.time(23, 59)), (1, datetime.time(0), datetime.time(6))]
    )
    long_night = SessionTypeFactory(clinic=clinic, duration_minutes=180, monitoring_minutes=60, needs_chair=False)
    Appointment.objects.create(
        patient=PatientFactory(),
        provider=night,
        session_type=long_night,
        starts_at=monday(23),
        ends_at=local(2026, 12, 8, 3),
    )
    assert local_starts(slots_for(consult, night, datetime.date(2026, 12, 8))) == grid("03:00", "05:00")


# --- Rooms and patients ----------------------------------------------------------------------------


def test_a_slot_stays_while_one_chair_is_free(
    provider: Provider, other_provider: Provider, clinic: Clinic, chair: Room, chair_b: Room, infusion: SessionType
) -> None:
    book(provider, infusion, monday(10), room=chair)
    ten = [slot for slot in slots_for(infusion, other_provider, MONDAY) if slot.starts_at == monday(10)]
    assert [slot.room_ids for slot in ten] == [(chair_b.pk,)]
    # Asking for the busy chair by name leaves that time out.
    assert monday(10) not in {slot.starts_at for slot in slots_for(infusion, other_provider, MONDAY, room=chair)}

    third = ProviderFactory(clinic=clinic)
    book(third, infusion, monday(10, 30), room=chair_b)
    # Chair A is held 10:00-11:45 and chair B 10:30-12:15: a 105-minute stay finds a chair from 11:45 on.
    offered = slots_for(infusion, other_provider, MONDAY)
    assert local_starts(offered) == grid("11:45", "15:15")
    assert [slot.room_ids for slot in offered[:3]] == [(chair.pk,)] * 2 + [(chair.pk, chair_b.pk)]


def test_the_patient_filter_hides_the_patients_own_sessions(
    provider: Provider, other_provider: Provider, chair: Room, chair_b: Room, infusion: SessionType
) -> None:
    patient = PatientFactory()
    book(provider, infusion, monday(10), patient=patient, room=chair)
    assert monday(10) in {slot.starts_at for slot in slots_for(infusion, other_provider, MONDAY)}
    mine = slots_for(infusion, other_provider, MONDAY, patient_id=patient.pk)
    assert local_starts(mine) == grid("11:45", "15:15")


def test_excluding_an_appointment_offers_its_own_time(provider: Provider, chair: Room, infusion: SessionType) -> None:
    patient = PatientFactory()
    appointment = book(provider, infusion, monday(10), patient=patient, room=chair)
    slots = slots_for(infusion, provider, MONDAY, patient_id=patient.pk, exclude_appointment_id=appointment.pk)
    assert local_starts(slots) == grid("09:00", "15:15")


# --- Daylight saving time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("monday_of_week", "offsets"),
    [
        # Fall back on Sunday 2026-11-01: 09:00 is 13:00Z before, 14:00Z after.
        pytest.param(datetime.date(2026, 10, 26), [13] * 5 + [14] * 5, id="fall-back"),
        # Spring forward on Sunday 2026-03-08: 09:00 is 14:00Z before, 13:00Z after.
        pytest.param(datetime.date(2026, 3, 2), [14] * 5 + [13] * 5, id="spring-forward"),
    ],
)
def test_nine_oclock_stays_nine_oclock_across_daylight_saving(
    provider: Provider, chair: Room, infusion: SessionType, monday_of_week: datetime.date, offsets: list[int]
) -> None:
    working_days = [monday_of_week + datetime.timedelta(days=n) for n in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)]
    with time_machine.travel(datetime.datetime.combine(monday_of_week, datetime.time(0), tzinfo=UTC), tick=False):
        slots = slots_for(infusion, provider, monday_of_week, monday_of_week + datetime.timedelta(days=13))
    starts = {slot.starts_at for slot in slots}
    days = sorted({slot.starts_at.astimezone(NY).date() for slot in slots})
    assert days == working_days
    for day, hour in zip(working_days, offsets, strict=True):
        first = min(slot.starts_at for slot in slots if slot.starts_at.astimezone(NY).date() == day)
        assert first == datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)
        assert first.astimezone(NY).time() == datetime.time(9)
        last = max((slot for slot in slots if slot.starts_at.astimezone(NY).date() == day), key=lambda s: s.starts_at)
        assert last.starts_at.astimezone(NY).time() == datetime.time(15, 15)
        assert last.ends_at.astimezone(NY).time() == datetime.time(17)
    assert len(starts) == len(slots) == 10 * 26
    # Each slot lasts 105 real minutes, whatever the offset.
    assert {slot.ends_at - slot.starts_at for slot in slots} == {datetime.timedelta(minutes=105)}


def test_a_booking_across_fall_back_lasts_its_real_duration(clinic: Clinic, chair: Room, infusion: SessionType) -> None:
    nights = ProviderFactory(clinic=clinic, hours=[(6, datetime.time(0), datetime.time(6))])  # Sundays
    with time_machine.travel(local(2026, 10, 30, 12), tick=False):
        appointment = book(nights, infusion, local(2026, 11, 1, 1, 0), room=chair)  # 01:00 EDT, the first one
    appointment.refresh_from_db()
    assert appointment.starts_at == utc(2026, 11, 1, 5, 0)
    assert appointment.ends_at == utc(2026, 11, 1, 6, 45)  # 01:45 EST: 105 minutes later, one wall hour "less"
    assert appointment.ends_at.astimezone(NY).strftime("%H:%M %Z") == "01:45 EST"
    # The night block is seven real hours that day; the last stay must end by 06:00 EST (11:00Z).
    assert working_hours_contain(
        provider=nights, clinic=clinic, starts_at=utc(2026, 11, 1, 9, 15), ends_at=utc(2026, 11, 1, 11)
    )
    with time_machine.travel(local(2026, 10, 30, 12), tick=False):
        slots = slots_for(infusion, nights, datetime.date(2026, 11, 1))
    assert max(slot.starts_at for slot in slots) == utc(2026, 11, 1, 9, 15)
    assert all(slot.ends_at - slot.starts_at == datetime.timedelta(minutes=105) for slot in slots)
    assert all(not (slot.starts_at < appointment.ends_at and appointment.starts_at < slot.ends_at) for slot in slots)


def test_a_booking_across_spring_forward_lasts_its_real_duration(
    clinic: Clinic, chair: Room, infusion: SessionType
) -> None:
    nights = ProviderFactory(clinic=clinic, hours=[(6, datetime.time(0), datetime.time(6))])
    sunday = datetime.date(2026, 3, 8)
    with time_machine.travel(local(2026, 3, 6, 12), tick=False):
        before = slots_for(infusion, nights, sunday)
        appointment = book(nights, infusion, local(2026, 3, 8, 1, 30), room=chair)  # 01:30 EST
        after = slots_for(infusion, nights, sunday)
    # 02:00-02:59 does not exist that night and is never offered; the block is five real hours.
    assert local_starts(before) == grid("00:00", "01:45") + grid("03:00", "04:15")
    assert (before[0].starts_at, before[-1].starts_at) == (utc(2026, 3, 8, 5), utc(2026, 3, 8, 8, 15))
    assert before[-1].ends_at.astimezone(NY).strftime("%H:%M %Z") == "06:00 EDT"
    appointment.refresh_from_db()
    assert appointment.starts_at == utc(2026, 3, 8, 6, 30)
    assert appointment.ends_at == utc(2026, 3, 8, 8, 15)
    assert appointment.ends_at.astimezone(NY).strftime("%H:%M %Z") == "04:15 EDT"
    # Only a stay starting when this one ends (04:15 EDT) still fits before 06:00 EDT.
    assert [slot.starts_at for slot in after] == [utc(2026, 3, 8, 8, 15)]


# --- Agreement with the booking service -----------------------------------------------------------


@pytest.fixture
def busy_monday(
    clinic: Clinic, provider: Provider, other_provider: Provider, chair: Room, chair_b: Room, infusion: SessionType
) -> Patient:
    """A Monday with something of everything; returns a patient who also has a session that day."""
    third = ProviderFactory(clinic=clinic)
    patient = PatientFactory()
    book(provider, infusion, monday(9, 30), room=chair_b)  # the provider: 09:30-11:15
    consult = SessionTypeFactory(clinic=clinic, duration_minutes=30, monitoring_minutes=0, needs_chair=False)
    book(other_provider, consult, monday(11, 15), patient=patient)  # the patient: 11:15-11:45
    book(other_provider, infusion, monday(12), room=chair)  # chair A: 12:00-13:45
    book(third, infusion, monday(12, 30), room=chair_b)  # chair B: 12:30-14:15
    TimeOff.objects.create(provider=provider, starts_at=monday(16, 45), ends_at=monday(17))
    return patient


def test_every_offered_slot_can_be_booked_and_then_is_gone(
    busy_monday: Patient, provider: Provider, infusion: SessionType
) -> None:
    patient = busy_monday
    with time_machine.travel(monday(9, 20), tick=False):
        offered = slots_for(infusion, provider, MONDAY, patient_id=patient.pk)
        assert offered, "the scenario must leave something to book"
        for slot in offered:
            with transaction.atomic():
                appointment = book(provider, infusion, slot.starts_at, patient=patient)
                assert appointment.ends_at == slot.ends_at
                assert appointment.room_id in slot.room_ids
                after = slots_for(infusion, provider, MONDAY, patient_id=patient.pk)
                assert slot.starts_at not in {other.starts_at for other in after}
                assert all(other.ends_at <= slot.starts_at or other.starts_at >= slot.ends_at for other in after)
                transaction.set_rollback(True)


def test_every_time_not_offered_is_refused_by_the_booking_service(
    busy_monday: Patient, provider: Provider, infusion: SessionType
) -> None:
    patient = busy_monday
    with time_machine.travel(monday(9, 20), tick=False):
        offered = {slot.starts_at for slot in slots_for(infusion, provider, MONDAY, patient_id=patient.pk)}
        candidates = [monday(7) + datetime.timedelta(minutes=15 * n) for n in range(4 * 12)]  # 07:00-18:45
        refused = 0
        for starts_at in candidates:
            if starts_at in offered:
                continue
            with pytest.raises((ValidationError, BookingConflict)), transaction.atomic():
                book(provider, infusion, starts_at, patient=patient)
            refused += 1
    assert refused == len(candidates) - len(offered)
    # See busy_monday: from 13:45 a chair is free, and a stay must end by 16:45.
    assert sorted(offered) == [monday(13, 45) + datetime.timedelta(minutes=15 * n) for n in range(6)]


def test_rescheduling_to_an_offered_time_works_when_only_another_chair_is_free(
    provider: Provider, other_provider: Provider, chair: Room, chair_b: Room, infusion: SessionType
) -> None:
    patient = PatientFactory()
    appointment = book(provider, infusion, monday(9), patient=patient)
    assert appointment.room == chair
    book(other_provider, infusion, monday(13), room=chair)
    offered = slots_for(infusion, provider, MONDAY, patient_id=patient.pk, exclude_appointment_id=appointment.pk)
    at_one = [slot for slot in offered if slot.starts_at == monday(13)]
    assert [slot.room_ids for slot in at_one] == [(chair_b.pk,)]
    moved = appointment_reschedule(actor=NOBODY, appointment=appointment, starts_at=monday(13))
    assert moved.room == chair_b


def test_nothing_is_offered_that_can_never_be_booked(provider: Provider, consult: SessionType) -> None:
    provider.is_active = False
    provider.save()
    assert slots_for(consult, provider, MONDAY) == []


# --- BusyTimes ---------------------------------------------------------------------------------


def test_busy_times_merge_and_answer_by_halves() -> None:
    busy = BusyTimes.of(
        [
            (monday(12), monday(13)),
            (monday(9), monday(10)),
            (monday(9, 30), monday(11)),
            (monday(11), monday(11, 30)),
        ]
    )
    assert busy.starts == [monday(9), monday(12)]
    assert busy.ends == [monday(11, 30), monday(13)]
    assert busy.is_free(monday(8), monday(9))
    assert not busy.is_free(monday(8), monday(9, 1))
    assert busy.is_free(monday(11, 30), monday(12))
    assert not busy.is_free(monday(11, 29), monday(12))
    assert not busy.is_free(monday(12, 30), monday(12, 31))
    assert not busy.is_free(monday(8), monday(14))
    assert busy.is_free(monday(13), monday(18))
    assert BusyTimes().is_free(monday(0), monday(23))
