"""Random sequences of booking operations against a small model of the rules.

Hypothesis draws lists of book / book-next-to / reschedule / confirm / cancel operations over a few
providers, rooms, patients and times (some in the past, some outside working hours, some on time
off, many colliding, touching or nested). After every step the database must hold no overlapping
stays for any provider, room or patient; the service must accept exactly what the model accepts,
refuse with the same kind of error, and never raise anything but ValidationError or BookingConflict.

Each example runs inside a savepoint that is rolled back, so examples start from the same world.
"""

from __future__ import annotations

import collections
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.accounts.actor import Actor
from clinic.patients.models import Patient
from clinic.scheduling.models import OCCUPYING_STATUSES, Appointment, Provider, Room, SessionType, TimeOff
from clinic.scheduling.services import (
    RESCHEDULABLE,
    Booking,
    BookingConflict,
    appointment_book,
    appointment_cancel,
    appointment_confirm,
    appointment_reschedule,
)
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

NOBODY = Actor(user=None)
NOW = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=NY)  # Monday: earlier times that day are past
DAYS = [datetime.date(2026, 12, 7), datetime.date(2026, 12, 8), datetime.date(2026, 12, 12)]  # Mon, Tue, Sat
TIMES = [datetime.time(8 + n // 4, 15 * (n % 4)) for n in range(2, 29)]  # 08:30 to 15:00, every 15 minutes
BUSY_MORNING = range(TIMES.index(datetime.time(9)), TIMES.index(datetime.time(12)) + 1)
OK, REFUSED, CONFLICT = "ok", "refused", "conflict"
Interval = tuple[datetime.datetime, datetime.datetime]


# --- The world and the model ---------------------------------------------------------------------


@dataclass
class World:
    providers: list[Provider]
    session_types: list[SessionType]
    rooms: list[Room]  # Chair A, Chair B, Office
    patients: list[Patient]
    hours: dict[int, list[tuple[int, datetime.time, datetime.time]]]
    time_off: dict[int, list[Interval]]


@dataclass
class Booked:
    pk: int
    patient_id: int
    provider_id: int
    room_id: int | None
    session_type: SessionType
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str = Appointment.Status.SCHEDULED


@dataclass
class Model:
    """The rules, written as plainly as possible, in the order the service checks them."""

    world: World
    booked: list[Booked] = field(default_factory=list)

    def occupying(self, exclude: int | None = None) -> list[Booked]:
        return [b for b in self.booked if b.status in OCCUPYING_STATUSES and b.pk != exclude]

    def free_chair(self, start: datetime.datetime, end: datetime.datetime) -> Room | None:
        busy = {b.room_id for b in self.occupying() if b.starts_at < end and start < b.ends_at}
        chairs = sorted((room for room in self.world.rooms if room.is_treatment_chair), key=lambda room: room.name)
        return next((room for room in chairs if room.pk not in busy), None)

    def works(self, provider: Provider, start: datetime.datetime, end: datetime.datetime) -> bool:
        local_start = start.astimezone(NY)
        for weekday, opens, closes in self.world.hours[provider.pk]:
            block = (
                datetime.datetime.combine(local_start.date(), opens, tzinfo=NY),
                datetime.datetime.combine(local_start.date(), closes, tzinfo=NY),
            )
            if weekday == local_start.weekday() and block[0] <= start and end <= block[1]:
                return True
        return False

    def decide(
        self,
        *,
        patient_id: int,
        provider: Provider,
        session_type: SessionType,
        room: Room | None,
        start: datetime.datetime,
        exclude: int | None,
    ) -> tuple[str, Room | None]:
        end = start + datetime.timedelta(minutes=session_type.occupies_minutes)
        if room is None and session_type.needs_chair and exclude is None:
            room = self.free_chair(start, end)
            if room is None:
                return CONFLICT, None
        if session_type.needs_chair and (room is None or not room.is_treatment_chair):
            return REFUSED, room
        if start <= NOW or not self.works(provider, start, end):
            return REFUSED, room
        if any(off_start < end and start < off_end for off_start, off_end in self.world.time_off[provider.pk]):
            return REFUSED, room
        for other in self.occupying(exclude=exclude):
            if (
                other.starts_at < end
                and start < other.ends_at
                and (
                    other.provider_id == provider.pk
                    or (room is not None and other.room_id == room.pk)
                    or other.patient_id == patient_id
                )
            ):
                return CONFLICT, room
        return OK, room


# --- Operations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Book:
    patient: int
    provider: int
    session_type: int
    day: int
    time: int
    room: int | None


@dataclass(frozen=True)
class BookNear:
    """Book right against an existing session: touching it (overlap 0) or overlapping it by some quarters."""

    which: int
    before: bool
    overlap: int
    patient: int
    provider: int | None  # None: the same provider as that session
    session_type: int
    room: int | None


@dataclass(frozen=True)
class Reschedule:
    which: int
    day: int
    time: int
    onto: int | None  # when set: to that other session's start, with its provider unless one is given
    provider: int | None
    room: int | None


@dataclass(frozen=True)
class Cancel:
    which: int


@dataclass(frozen=True)
class Confirm:
    which: int


Operation = Book | BookNear | Reschedule | Cancel | Confirm

days = st.sampled_from([1, 1, 1, 0, 2])  # mostly Tuesday; Monday is partly past, Saturday mostly off
# Half the times fall in one busy morning, so sessions collide, touch and nest often.
times = st.one_of(st.sampled_from(BUSY_MORNING), st.sampled_from(range(len(TIMES))))
room_choice = st.one_of(st.none(), st.none(), st.sampled_from(range(3)))
books = st.builds(
    Book,
    patient=st.integers(0, 2),
    provider=st.integers(0, 2),
    session_type=st.integers(0, 2),
    day=days,
    time=times,
    room=room_choice,
)
books_near = st.builds(
    BookNear,
    which=st.integers(0, 20),
    before=st.booleans(),
    overlap=st.one_of(st.just(0), st.integers(0, 3)),
    patient=st.integers(0, 2),
    provider=st.one_of(st.none(), st.integers(0, 2)),
    session_type=st.integers(0, 2),
    room=room_choice,
)
reschedules = st.builds(
    Reschedule,
    which=st.integers(0, 20),
    day=days,
    time=times,
    onto=st.one_of(st.none(), st.integers(0, 20), st.integers(0, 20)),
    provider=st.one_of(st.none(), st.integers(0, 2)),
    room=room_choice,
)
cancels = st.builds(Cancel, which=st.integers(0, 20))
confirms = st.builds(Confirm, which=st.integers(0, 20))
# Mostly bookings and moves, so the calendar fills up and collisions are common.
operations = st.tuples(
    books,
    st.lists(
        st.one_of(
            books, books, books, books_near, books_near, reschedules, reschedules, reschedules, cancels, confirms
        ),
        min_size=10,
        max_size=24,
    ),
).map(lambda first_and_rest: [first_and_rest[0], *first_and_rest[1]])


def at(day: int, time: int) -> datetime.datetime:
    return datetime.datetime.combine(DAYS[day], TIMES[time], tzinfo=NY).astimezone(datetime.UTC)


def outcome_of(call: object) -> tuple[str, Appointment | None]:
    try:
        result = call()  # type: ignore[operator]
    except BookingConflict:
        return CONFLICT, None
    except ValidationError:
        return REFUSED, None
    # Anything else (IntegrityError, DatabaseError, a bug) propagates and fails the test.
    assert isinstance(result, Appointment)
    return OK, result


def book_step(
    model: Model,
    operation: Operation,
    *,
    patient: Patient,
    provider: Provider,
    session_type: SessionType,
    room: Room | None,
    start: datetime.datetime,
) -> tuple[str, str]:
    expected, expected_room = model.decide(
        patient_id=patient.pk, provider=provider, session_type=session_type, room=room, start=start, exclude=None
    )
    actual, appointment = outcome_of(
        lambda: appointment_book(
            actor=NOBODY,
            booking=Booking(patient=patient, provider=provider, session_type=session_type, starts_at=start, room=room),
        )
    )
    assert actual == expected, (operation, actual, expected)
    if appointment is not None:
        assert appointment.room_id == (expected_room.pk if expected_room else None)
        model.booked.append(
            Booked(
                pk=appointment.pk,
                patient_id=patient.pk,
                provider_id=provider.pk,
                room_id=appointment.room_id,
                session_type=session_type,
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=session_type.occupies_minutes),
            )
        )
    return "book", actual


def step(world: World, model: Model, operation: Operation) -> tuple[str, str]:
    """Run one operation on the service and on the model; return (kind, outcome) after checking they agree."""
    if isinstance(operation, Book):
        return book_step(
            model,
            operation,
            patient=world.patients[operation.patient],
            provider=world.providers[operation.provider],
            session_type=world.session_types[operation.session_type],
            room=None if operation.room is None else world.rooms[operation.room],
            start=at(operation.day, operation.time),
        )

    if not model.booked:
        return "noop", OK
    target = model.booked[operation.which % len(model.booked)]

    if isinstance(operation, BookNear):
        session_type = world.session_types[operation.session_type]
        quarters = datetime.timedelta(minutes=15 * operation.overlap)
        if operation.before:
            start = target.starts_at - datetime.timedelta(minutes=session_type.occupies_minutes) + quarters
        else:
            start = target.ends_at - quarters
        _kind, outcome = book_step(
            model,
            operation,
            patient=world.patients[operation.patient],
            provider=(
                Provider.objects.get(pk=target.provider_id)
                if operation.provider is None
                else world.providers[operation.provider]
            ),
            session_type=session_type,
            room=None if operation.room is None else world.rooms[operation.room],
            start=start,
        )
        return "book near", outcome

    instance = Appointment.objects.get(pk=target.pk)

    if isinstance(operation, Reschedule):
        provider = world.providers[operation.provider] if operation.provider is not None else None
        if operation.onto is None:
            start = at(operation.day, operation.time)
        else:
            other = model.booked[operation.onto % len(model.booked)]
            start = other.starts_at
            provider = provider or Provider.objects.get(pk=other.provider_id)
        room = world.rooms[operation.room] if operation.room is not None else None
        chair = room or (Room.objects.get(pk=target.room_id) if target.room_id else None)
        no_free_chair = False
        if room is None and target.session_type.needs_chair and start > NOW:
            # Without a chair asked for, the session keeps its chair if free then, else takes a free one.
            end = start + datetime.timedelta(minutes=target.session_type.occupies_minutes)
            busy = {b.room_id for b in model.occupying(exclude=target.pk) if b.starts_at < end and start < b.ends_at}
            if chair is None or chair.pk in busy:
                chairs = sorted((r for r in world.rooms if r.is_treatment_chair), key=lambda r: r.name)
                chair = next((r for r in chairs if r.pk not in busy), None)
                no_free_chair = chair is None
        if target.status not in RESCHEDULABLE:
            expected = REFUSED
        elif no_free_chair:
            expected = CONFLICT
        else:
            expected, _ = model.decide(
                patient_id=target.patient_id,
                provider=provider or Provider.objects.get(pk=target.provider_id),
                session_type=target.session_type,
                room=chair,
                start=start,
                exclude=target.pk,
            )
        actual, _ = outcome_of(
            lambda: appointment_reschedule(
                actor=NOBODY, appointment=instance, starts_at=start, provider=provider, room=room
            )
        )
        assert actual == expected, (operation, actual, expected)
        if actual == OK:
            target.starts_at = start
            target.ends_at = start + datetime.timedelta(minutes=target.session_type.occupies_minutes)
            target.provider_id = provider.pk if provider else target.provider_id
            target.room_id = room.pk if room else target.room_id
            target.status = Appointment.Status.SCHEDULED
        return "reschedule", actual

    if isinstance(operation, Cancel):
        expected = OK if target.status in RESCHEDULABLE else REFUSED
        actual, _ = outcome_of(lambda: appointment_cancel(actor=NOBODY, appointment=instance, reason="test"))
        assert actual == expected, (operation, actual, expected)
        if actual == OK:
            target.status = Appointment.Status.CANCELLED
        return "cancel", actual

    expected = OK if target.status == Appointment.Status.SCHEDULED else REFUSED
    actual, _ = outcome_of(lambda: appointment_confirm(actor=NOBODY, appointment=instance))
    assert actual == expected, (operation, actual, expected)
    if actual == OK:
        target.status = Appointment.Status.CONFIRMED
    return "confirm", actual


def assert_database_holds_the_rules(model: Model) -> None:
    rows = list(
        Appointment.objects.values_list("pk", "status", "starts_at", "ends_at", "provider_id", "room_id", "patient_id")
    )
    # The database says the same as the model...
    assert sorted(rows) == sorted(
        (b.pk, b.status, b.starts_at, b.ends_at, b.provider_id, b.room_id, b.patient_id) for b in model.booked
    )
    # ...and no provider, room or patient is anywhere twice at once.
    occupying = [row for row in rows if row[1] in OCCUPYING_STATUSES]
    for index, (pk, _status, start, end, provider_id, room_id, patient_id) in enumerate(occupying):
        for other in occupying[index + 1 :]:
            if other[2] < end and start < other[3]:
                assert other[4] != provider_id, ("provider twice", pk, other[0])
                assert room_id is None or other[5] != room_id, ("room twice", pk, other[0])
                assert other[6] != patient_id, ("patient twice", pk, other[0])


# --- The test ------------------------------------------------------------------------------------


@pytest.fixture
def world() -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        clinic = ClinicFactory()
        split = [(day, datetime.time(9), datetime.time(12)) for day in range(5)]
        split += [(day, datetime.time(13), datetime.time(17)) for day in range(5)]
        hours = {
            "regular": [(day, datetime.time(9), datetime.time(17)) for day in range(5)],
            "early": [(day, datetime.time(8), datetime.time(15)) for day in range(6)],  # and Saturdays
            "split": split,
        }
        providers = [ProviderFactory(clinic=clinic, hours=blocks) for blocks in hours.values()]
        off = (datetime.datetime(2026, 12, 8, 11, tzinfo=NY), datetime.datetime(2026, 12, 8, 13, tzinfo=NY))
        TimeOff.objects.create(provider=providers[0], starts_at=off[0], ends_at=off[1])
        yield World(
            providers=providers,
            session_types=[
                SessionTypeFactory(clinic=clinic),  # 45 + 60 minutes, in a chair
                SessionTypeFactory(clinic=clinic, duration_minutes=60, monitoring_minutes=0, needs_chair=False),
                SessionTypeFactory(clinic=clinic, duration_minutes=30, monitoring_minutes=30, needs_chair=False),
            ],
            rooms=[
                RoomFactory(clinic=clinic, name="Chair A"),
                RoomFactory(clinic=clinic, name="Chair B"),
                RoomFactory(clinic=clinic, name="Office", is_treatment_chair=False),
            ],
            patients=[PatientFactory() for _ in range(3)],
            hours={provider.pk: blocks for provider, blocks in zip(providers, hours.values(), strict=True)},
            time_off={providers[0].pk: [off], providers[1].pk: [], providers[2].pk: []},
        )


def test_random_operations_keep_every_rule_and_match_the_model(world: World) -> None:
    seen: collections.Counter[tuple[str, str]] = collections.Counter()

    @settings(
        max_examples=50,
        deadline=None,
        database=None,  # no .hypothesis folder in the checkout
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(operations)
    def run(steps: list[Operation]) -> None:
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            model = Model(world=world)
            for operation in steps:
                seen[step(world, model, operation)] += 1
                assert_database_holds_the_rules(model)
            transaction.set_rollback(True)  # the next example starts from the same world

    run()
    # The generator really exercised every path, not just refusals.
    wanted_outcomes = [
        ("book", OK),
        ("book", REFUSED),
        ("book", CONFLICT),
        ("book near", OK),
        ("book near", CONFLICT),
        ("reschedule", OK),
        ("reschedule", REFUSED),
        ("cancel", OK),
    ]  # a reschedule refused as a conflict is rarer: checked whenever it happens, not required
    for wanted in wanted_outcomes:
        assert seen[wanted] > 0, (wanted, seen)
