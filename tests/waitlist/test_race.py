"""Two patients answer YES to the same freed time in the same instant, on two connections to PostgreSQL:
one gets it, the other hears it was just taken; the chair is booked once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection

from clinic.messaging.crisis import crisis_detect
from clinic.messaging.inbound import Routed
from clinic.scheduling.models import Appointment
from clinic.waitlist.models import FreedSlot, WaitlistOffer
from tests.waitlist.world import (
    NOW,
    THURSDAY_10,
    booked_then_cancelled,
    offers_of,
    patient_texts,
    waitlisted,
    world_build,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def _all_at_once(bodies: list[tuple[str, str]]) -> list[Routed]:
    """Each (number, text) sent by its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(bodies))
    answers: list[Routed | BaseException | None] = [None] * len(bodies)

    def send(index: int, number: str, body: str) -> None:
        try:
            barrier.wait(timeout=30)
            answers[index] = patient_texts(number, body)
        except BaseException as error:  # reported below, in the test's thread
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *pair)) for i, pair in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return [answer for answer in answers if isinstance(answer, Routed)]


@pytest.mark.parametrize("attempt", range(2))
def test_two_yes_in_the_same_second_one_winner_one_just_taken(clock: None, attempt: int) -> None:
    crisis_detect("warm up")  # the detector loads once per process; not inside the race
    world = world_build()
    for name in ("Ana", "Ben"):
        waitlisted(world, name)
    slot = booked_then_cancelled(world)
    ana, ben = offers_of(slot)

    answers = _all_at_once([(ana.to_number, f"YES {ana.code}"), (ben.to_number, f"yes {ben.code}")])

    replies = sorted(answer.reply for answer in answers)
    assert len(replies) == 2
    assert replies[0].startswith("Harbor Clinic: Sorry, that time was just taken."), replies
    assert replies[1].startswith(("Harbor Clinic: Thanks Ana, the time is yours", "Harbor Clinic: Thanks Ben, the")), (
        replies
    )
    booked = Appointment.objects.filter(starts_at=THURSDAY_10, status=Appointment.Status.SCHEDULED)
    assert booked.count() == 1
    slot.refresh_from_db()
    assert (slot.status, slot.filled_by) == (FreedSlot.Status.FILLED, booked.get())
    statuses = sorted(offer.status for offer in offers_of(slot))
    assert statuses == sorted([WaitlistOffer.Status.ACCEPTED, WaitlistOffer.Status.TAKEN])
