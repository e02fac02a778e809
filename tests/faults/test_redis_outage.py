"""Redis (broker, cache and rate limiter in one) dies in the middle of a dispatch and comes back empty."""

from __future__ import annotations

import time

import pytest

from clinic.messaging.sandbox.models import SandboxMessage
from tests.faults.conftest import Stack
from tests.faults.ledger import assert_delivered_exactly_once, batch_enqueue, batch_numbers, wait_for_outbox
from tests.live import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TOTAL = 2000  # the size the issue names
OUTAGE_SECONDS = 12.0


def test_redis_down_for_seconds_mid_dispatch_loses_and_duplicates_nothing(stack: Stack) -> None:
    server = stack.own_redis()
    bodies = batch_enqueue(label="Redis outage", count=TOTAL, numbers=batch_numbers(first=0, count=100))
    worker = stack.worker()
    beat = stack.beat()
    wait_until(lambda: SandboxMessage.objects.count() >= 300, timeout=120, what="the dispatch to be well under way")

    server.kill()
    down_at = time.monotonic()
    sent_when_redis_died = SandboxMessage.objects.count()
    # Redis stays down: nothing is enqueued, nothing rate-limited, and neither process may give up.
    wait_until(lambda: time.monotonic() - down_at >= OUTAGE_SECONDS, timeout=OUTAGE_SECONDS + 5, what="the outage")
    assert worker.process is not None and worker.process.poll() is None, "the worker died with Redis"
    assert beat.alive(), "beat died with Redis"
    assert SandboxMessage.objects.count() < TOTAL
    server.start()

    wait_for_outbox(lambda counts: counts.get("delivered", 0) == TOTAL, timeout=240, what=f"{TOTAL} texts delivered")
    assert_delivered_exactly_once(bodies)
    assert sent_when_redis_died < TOTAL
