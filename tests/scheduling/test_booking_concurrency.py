"""Many requests racing for one slot: exactly one wins, every other one gets a BookingConflict.

Each attempt runs in its own thread with its own database connection, released together by a
barrier, against the real PostgreSQL: the exclusion constraints are what stops the race.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import psycopg
import pytest
import time_machine
from django.db import connection, transaction

from clinic.accounts.actor import Actor
from clinic.patients.models import Patient
from clinic.scheduling.models import OCCUPYING_STATUSES, Appointment, Provider, Room, SessionType
from clinic.scheduling.services import Booking, BookingConflict, appointment_book, appointment_reschedule
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import NY

pytestmark = pytest.mark.django_db(transaction=True)

NOBODY = Actor(user=None)
RACERS = 10
ROUNDS = 4
T = TypeVar("T")


def monday(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, 7, hour, minute, tzinfo=NY)


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    # time-machine moves the clock for the whole process, so every racing thread sees the same "now".
    with time_machine.travel(datetime.datetime(2026, 12, 1, 8, tzinfo=NY), tick=False):
        yield


def race(attempts: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run each attempt in a thread of its own, all released at once; return results or errors."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[T | BaseException | None] = [None] * len(attempts)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = attempts[index]()
        except BaseException as error:  # recorded and judged by the test
            outcomes[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return [AssertionError("no outcome") if outcome is None else outcome for outcome in outcomes]


def booking_attempt(
    *, patient_id: int, provider_id: int, room_id: int | None, session_type_id: int, starts_at: datetime.datetime
) -> Callable[[], Appointment]:
    """Load everything fresh inside the racing thread, as a request would, then book."""

    def attempt() -> Appointment:
        booking = Booking(
            patient=Patient.objects.get(pk=patient_id),
            provider=Provider.objects.get(pk=provider_id),
            session_type=SessionType.objects.select_related("clinic").get(pk=session_type_id),
            starts_at=starts_at,
            room=Room.objects.get(pk=room_id) if room_id is not None else None,
        )
        return appointment_book(actor=NOBODY, booking=booking)

    return attempt


def assert_one_winner(outcomes: list[Appointment | BaseException], resource: str) -> Appointment:
    winners = [outcome for outcome in outcomes if isinstance(outcome, Appointment)]
    losers = [outcome for outcome in outcomes if not isinstance(outcome, Appointment)]
    unexpected = [outcome for outcome in losers if not isinstance(outcome, BookingConflict)]
    assert not unexpected, [f"{type(error).__name__}: {error}" for error in unexpected]
    assert len(winners) == 1, outcomes
    assert all(resource in str(conflict) for conflict in losers), [str(conflict) for conflict in losers]
    return winners[0]


def test_racing_for_one_provider_books_exactly_one() -> None:
    clinic = ClinicFactory()
    provider = ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone")
    infusion = SessionTypeFactory(clinic=clinic)
    # A chair and a patient per racer: only the provider is contested.
    chairs = [RoomFactory(clinic=clinic) for _ in range(RACERS)]
    patients = [PatientFactory() for _ in range(RACERS)]
    for round_number in range(ROUNDS):
        starts_at = monday(9) + datetime.timedelta(hours=2 * round_number)
        outcomes = race(
            [
                booking_attempt(
                    patient_id=patient.pk,
                    provider_id=provider.pk,
                    room_id=chair.pk,
                    session_type_id=infusion.pk,
                    starts_at=starts_at,
                )
                for patient, chair in zip(patients, chairs, strict=True)
            ]
        )
        winner = assert_one_winner(outcomes, "Dr. Ada Stone")
        assert winner.starts_at == starts_at
        held = Appointment.objects.filter(provider=provider, starts_at=starts_at, status__in=OCCUPYING_STATUSES)
        assert list(held.values_list("pk", flat=True)) == [winner.pk]
    assert Appointment.objects.count() == ROUNDS


def test_racing_for_one_chair_books_exactly_one() -> None:
    clinic = ClinicFactory()
    chair = RoomFactory(clinic=clinic, name="Chair A")
    infusion = SessionTypeFactory(clinic=clinic)
    # A provider and a patient per racer: only the chair is contested.
    providers = [ProviderFactory(clinic=clinic) for _ in range(RACERS)]
    patients = [PatientFactory() for _ in range(RACERS)]
    for round_number in range(ROUNDS):
        starts_at = monday(9) + datetime.timedelta(hours=2 * round_number)
        outcomes = race(
            [
                booking_attempt(
                    patient_id=patient.pk,
                    provider_id=provider.pk,
                    room_id=chair.pk,
                    session_type_id=infusion.pk,
                    starts_at=starts_at,
                )
                for patient, provider in zip(patients, providers, strict=True)
            ]
        )
        winner = assert_one_winner(outcomes, "Chair A")
        assert winner.room_id == chair.pk
        assert Appointment.objects.filter(room=chair, starts_at=starts_at).count() == 1
    assert Appointment.objects.count() == ROUNDS


def test_racing_for_one_patient_books_exactly_one() -> None:
    clinic = ClinicFactory()
    consult = SessionTypeFactory(clinic=clinic, duration_minutes=60, monitoring_minutes=0, needs_chair=False)
    providers = [ProviderFactory(clinic=clinic) for _ in range(RACERS)]
    patient = PatientFactory()
    for round_number in range(ROUNDS):
        starts_at = monday(9) + datetime.timedelta(hours=2 * round_number)
        outcomes = race(
            [
                booking_attempt(
                    patient_id=patient.pk,
                    provider_id=provider.pk,
                    room_id=None,
                    session_type_id=consult.pk,
                    starts_at=starts_at + datetime.timedelta(minutes=15 * (index % 3)),  # overlapping, not equal
                )
                for index, provider in enumerate(providers)
            ]
        )
        assert_one_winner(outcomes, "The patient")
    assert Appointment.objects.count() == ROUNDS


def test_racing_reschedules_into_one_slot_moves_exactly_one() -> None:
    clinic = ClinicFactory()
    provider = ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone")
    consult = SessionTypeFactory(clinic=clinic, duration_minutes=30, monitoring_minutes=0, needs_chair=False)
    appointments = [
        appointment_book(
            actor=NOBODY,
            booking=Booking(
                patient=PatientFactory(),
                provider=provider,
                session_type=consult,
                starts_at=monday(9) + datetime.timedelta(minutes=30 * index),
            ),
        )
        for index in range(RACERS)
    ]
    target = monday(15)

    def attempt_for(appointment_id: int) -> Callable[[], Appointment]:
        def attempt() -> Appointment:
            return appointment_reschedule(
                actor=NOBODY, appointment=Appointment.objects.get(pk=appointment_id), starts_at=target
            )

        return attempt

    outcomes = race([attempt_for(appointment.pk) for appointment in appointments])
    winner = assert_one_winner(outcomes, "Dr. Ada Stone")
    assert list(Appointment.objects.filter(starts_at=target).values_list("pk", flat=True)) == [winner.pk]
    assert Appointment.objects.count() == RACERS


def second_while_first_uncommitted(
    first: Callable[[], Appointment], second: Callable[[], Appointment]
) -> Appointment | BaseException:
    """Make a lost race certain: run `second` while `first` has written its row but not committed it.

    `second` checks, finds nothing (the row is not visible yet), inserts, and blocks on the exclusion
    constraint until `first` commits.
    """
    second_pid: list[int] = []
    second_started = threading.Event()
    outcome: list[Appointment | BaseException] = []

    def run_second() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            second_started.set()
            outcome.append(second())
        except BaseException as error:  # judged by the caller
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run_second)
    with transaction.atomic():
        first()
        thread.start()
        assert second_started.wait(timeout=30)
        wait_until_blocked_on_us(second_pid[0])
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(outcome) == 1
    return outcome[0]


def test_a_request_that_loses_at_the_constraint_gets_a_conflict_not_an_error() -> None:
    clinic = ClinicFactory()
    provider = ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone")
    infusion = SessionTypeFactory(clinic=clinic)
    chair, other_chair = RoomFactory(clinic=clinic), RoomFactory(clinic=clinic)
    first, second = PatientFactory(), PatientFactory()
    outcome = second_while_first_uncommitted(
        booking_attempt(
            patient_id=first.pk,
            provider_id=provider.pk,
            room_id=chair.pk,
            session_type_id=infusion.pk,
            starts_at=monday(10),
        ),
        booking_attempt(
            patient_id=second.pk,
            provider_id=provider.pk,
            room_id=other_chair.pk,
            session_type_id=infusion.pk,
            starts_at=monday(10, 30),
        ),
    )
    assert isinstance(outcome, BookingConflict), repr(outcome)
    assert "Dr. Ada Stone is already booked from 2026-12-07 10:00 to 11:45" in str(outcome)
    # Bookings of one provider queue on an advisory lock, so the loser sees the winner before inserting.
    assert Appointment.objects.count() == 1


def test_two_chair_sessions_at_once_each_get_a_chair() -> None:
    clinic = ClinicFactory()
    infusion = SessionTypeFactory(clinic=clinic)
    chairs = [RoomFactory(clinic=clinic, name="Chair A"), RoomFactory(clinic=clinic, name="Chair B")]
    providers = [ProviderFactory(clinic=clinic), ProviderFactory(clinic=clinic)]
    patients = [PatientFactory(), PatientFactory()]
    attempts = [
        booking_attempt(
            patient_id=patient.pk,
            provider_id=provider.pk,
            room_id=None,
            session_type_id=infusion.pk,
            starts_at=monday(10),
        )
        for patient, provider in zip(patients, providers, strict=True)
    ]
    outcome = second_while_first_uncommitted(*attempts)
    assert isinstance(outcome, Appointment), repr(outcome)
    assert set(Appointment.objects.values_list("room_id", flat=True)) == {chair.pk for chair in chairs}


def wait_until_blocked_on_us(pid: int) -> None:
    """Wait (on the database, not a timer) until backend `pid` is blocked by this connection's transaction."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as watcher:
        ours = connection.cursor().connection.info.backend_pid
        for _ in range(30_000):
            blockers = watcher.execute("SELECT pg_blocking_pids(%s)", [pid]).fetchone()
            if blockers and ours in blockers[0]:
                return
            watcher.execute("SELECT pg_sleep(0.001)")
    raise AssertionError("the second booking never reached the constraint")
