"""Beat started twice by mistake: two schedulers send the dispatch task, and two workers run them side by side."""

from __future__ import annotations

import pytest

from tests.faults.ledger import assert_delivered_exactly_once, batch_enqueue, batch_numbers, wait_for_outbox
from tests.support.stack import Stack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# The dispatchers race on every look at the outbox, so a few hundred texts give hundreds of races.
TOTAL = 300
# Both beats look every 0.2 s, so dispatches run side by side on the four pool processes; texts still
# queued after 2 s are handed out again, so the dispatchers also race to requeue the same rows.
FAST_LOOKS = {"SMS_DISPATCH_INTERVAL_SECONDS": "0.2", "SMS_QUEUED_STALE_SECONDS": "2"}


def test_two_beats_dispatching_at_once_send_each_text_once(stack: Stack) -> None:
    bodies = batch_enqueue(label="Two beats", count=TOTAL, numbers=batch_numbers(first=0, count=40))
    workers = [stack.worker(**FAST_LOOKS), stack.worker(**FAST_LOOKS)]
    first, second = stack.beat(**FAST_LOOKS), stack.beat(**FAST_LOOKS)
    stack.start()

    wait_for_outbox(lambda counts: counts.get("delivered", 0) == TOTAL, timeout=150, what=f"{TOTAL} texts delivered")
    assert_delivered_exactly_once(bodies)
    for beat in (first, second):
        assert beat.log.read_bytes().count(b"Sending due task dispatch-due-messages") >= 10
    for worker in workers:
        assert not worker.task_failures()  # no dispatch died on a lock the other dispatcher held
