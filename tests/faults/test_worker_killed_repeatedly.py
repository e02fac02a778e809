"""A worker SIGKILLed again and again in the middle of sends, and restarted each time, while beat keeps dispatching."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clinic.messaging.models import OutboundMessage
from clinic.messaging.sandbox.models import SandboxMessage
from tests.faults.ledger import assert_delivered_exactly_once, batch_enqueue, batch_numbers, wait_for_outbox
from tests.support.processes import wait_until
from tests.support.stack import Stack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
Status = OutboundMessage.Status

# The single kill of a 1,000 batch is covered in tests/messaging; here four kills in 300 texts, each
# landing while a text is between its claim and its record, is what matters, not the batch size.
TOTAL = 300
KILLS = 4


def sending_since(moment: datetime.datetime) -> int:
    """Rows a worker started since `moment` whose outcome it has not recorded."""
    return OutboundMessage.objects.filter(status=Status.SENDING, sending_started_at__gt=moment).count()


def test_a_worker_killed_four_times_mid_send_loses_and_duplicates_nothing(stack: Stack) -> None:
    bodies = batch_enqueue(label="Killed worker", count=TOTAL, numbers=batch_numbers(first=0, count=40))
    worker = stack.worker()
    stack.beat()
    stack.start()

    caught_mid_send = 0
    started = timezone.now()
    for kill in range(1, KILLS + 1):
        # Kill once the batch is a bit further on and this worker has a text in flight.
        wait_until(
            lambda kill=kill, started=started: (
                SandboxMessage.objects.count() >= kill * TOTAL // (KILLS + 2) and sending_since(started) > 0
            ),
            timeout=120,
            what=f"kill number {kill} to find a text in flight",
            interval=0.02,
        )
        worker.kill()
        caught_mid_send += sending_since(started)
        worker.start()  # returns once the new process is ready
        started = timezone.now()

    print(f"{caught_mid_send} texts were between claim and record when their worker was killed")
    assert caught_mid_send >= 1, "no kill landed between a claim and its record"
    wait_for_outbox(lambda counts: counts.get("delivered", 0) == TOTAL, timeout=150, what=f"{TOTAL} texts delivered")
    assert_delivered_exactly_once(bodies)
    assert not worker.task_failures()  # the kills ended processes; no task failed on what they left behind
