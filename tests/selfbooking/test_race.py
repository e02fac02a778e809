"""Races against PostgreSQL, in threads with their own connections: one time, one winner; one link, one booking."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from clinic.accounts.actor import Actor
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment
from clinic.selfbooking.models import SelfBooking
from clinic.selfbooking.services import OfferUsed, SlotTaken, selfbooking_book
from tests.selfbooking.world import TUESDAY_9AM, World, submit

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Start every job at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_people_choosing_the_same_time_at_once_get_one_booking(world: World) -> None:
    tokens = [
        submit(first_name=f"Person{n}", phone=f"+1617555030{n}", email=f"person{n}@example.com")[1] for n in range(4)
    ]
    results, errors = run_together(
        [
            lambda token=token: selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=Actor(user=None))  # type: ignore[misc]
            for token in tokens
        ]
    )
    assert len(results) == 1, errors
    assert len(errors) == 3 and all(isinstance(error, SlotTaken) for error in errors), errors
    assert SelfBooking.objects.count() == 1 and Appointment.objects.filter(starts_at=TUESDAY_9AM).count() == 1
    assert Patient.objects.count() == 1  # the losers' patients went with their rolled-back bookings


def test_one_link_used_twice_at_once_books_once(world: World) -> None:
    _, token = submit()
    times = [TUESDAY_9AM.replace(hour=hour) for hour in (9, 11, 13)]
    results, errors = run_together(
        [
            lambda moment=moment: selfbooking_book(token=token, starts_at=moment, actor=Actor(user=None))  # type: ignore[misc]
            for moment in times
        ]
    )
    assert len(results) == 1 and len(errors) == 2 and all(isinstance(error, OfferUsed) for error in errors), errors
    assert Appointment.objects.count() == 1 and SelfBooking.objects.count() == 1
