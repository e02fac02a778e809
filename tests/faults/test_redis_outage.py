"""Redis (broker, cache and rate limiter in one) dies in the middle of a dispatch and comes back empty."""

from __future__ import annotations

import time

import pytest

from clinic.messaging.sandbox.models import SandboxMessage
from tests.faults.ledger import assert_delivered_exactly_once, batch_enqueue, batch_numbers, wait_for_outbox
from tests.support.processes import wait_until, wait_while_progressing
from tests.support.stack import Stack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TOTAL = 2000  # the size the issue names
OUTAGE_SECONDS = 11.0


def test_redis_down_for_seconds_mid_dispatch_loses_and_duplicates_nothing(stack: Stack) -> None:
    server = stack.own_redis()
    bodies = batch_enqueue(label="Redis outage", count=TOTAL, numbers=batch_numbers(first=0, count=100))
    worker, beat = stack.worker(), stack.beat()
    stack.start()
    sent = SandboxMessage.objects.count
    wait_while_progressing(
        lambda: sent() >= 200, progress=sent, stalled_after=120, what="the dispatch to be well under way"
    )

    server.kill()
    down_at = time.monotonic()
    # Redis stays down (its queues are gone with it); neither the worker nor beat may give up meanwhile.
    wait_until(lambda: time.monotonic() - down_at >= OUTAGE_SECONDS, timeout=OUTAGE_SECONDS + 5, what="the outage")
    assert worker.process is not None and worker.process.poll() is None, "the worker died with Redis"
    assert beat.alive(), "beat died with Redis"
    assert SandboxMessage.objects.count() < TOTAL
    server.start()

    wait_for_outbox(lambda counts: counts.get("delivered", 0) == TOTAL, timeout=240, what=f"{TOTAL} texts delivered")
    assert_delivered_exactly_once(bodies)
    # Tasks that were running as Redis died may fail on it; none may fail any other way (e.g. a deadlock).
    unexpected = [line for line in worker.task_failures() if "connect" not in line.lower()]
    assert not unexpected, unexpected[:3]
