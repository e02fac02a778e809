"""Two patients pick the same free time on their pages in the same instant: one gets it, the other is told it
was just taken and sees the times free now. Threads with their own connections, against the real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from clinic.scheduling.models import Appointment
from tests.support.clock import local

from .factories import NOW, link_to, place_build, stamp, visit_book

pytestmark = pytest.mark.django_db(transaction=True)
RACERS = 4


@pytest.fixture(autouse=True)
def _monday_noon() -> Iterator[None]:
    # time-machine moves the clock for the whole process: every thread sees the same "now".
    with time_machine.travel(NOW, tick=False):
        yield


def test_two_pages_picking_the_same_time_give_one_winner_and_fresh_times_to_the_others() -> None:
    place = place_build(chairs=RACERS)  # chairs for everyone: the provider is what they race for
    starts = [local(2026, 12, 9, 9), local(2026, 12, 10, 11), local(2026, 12, 9, 13), local(2026, 12, 10, 15)]
    visits = [visit_book(place, starts[n], first_name=f"P{n}") for n in range(RACERS)]
    paths = [link_to(visit) for visit in visits]
    wanted = local(2026, 12, 11, 10)
    barrier = threading.Barrier(RACERS)
    answers: list[HttpResponse | BaseException | None] = [None] * RACERS

    def pick(index: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"203.0.113.{index + 1}")
            barrier.wait(timeout=30)
            answers[index] = client.post(
                f"{paths[index]}/move", {"starts_at": stamp(wanted), "seen": stamp(visits[index].starts_at)}
            )
        except BaseException as error:  # judged below
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=pick, args=(index,)) for index in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(answer.status_code if isinstance(answer, HttpResponse) else repr(answer) for answer in answers)
    assert statuses == [303] + [409] * (RACERS - 1)
    assert Appointment.objects.filter(starts_at=wanted).count() == 1
    for answer in answers:
        assert isinstance(answer, HttpResponse)
        if answer.status_code == 409:
            page = answer.content.decode()
            assert "Sorry, that time was just taken." in page and "Here are the times free now." in page
            assert f'value="{stamp(wanted)}"' not in page  # the fresh times no longer offer it
            assert 'name="starts_at"' in page
    unmoved = Appointment.objects.exclude(starts_at=wanted)
    assert {visit.pk for visit in unmoved} | {Appointment.objects.get(starts_at=wanted).pk} == {v.pk for v in visits}
    for visit in unmoved:
        original = next(v for v in visits if v.pk == visit.pk)
        assert visit.starts_at == original.starts_at
