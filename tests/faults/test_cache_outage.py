"""The cache's Redis (throttles, send-rate limit) is down while the database and the broker are up."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from clinic.intake.models import Inquiry
from clinic.messaging.models import OutboundMessage
from tests.faults.ledger import assert_delivered_exactly_once, batch_enqueue, batch_numbers, wait_for_outbox
from tests.support.processes import RedisServer, free_port
from tests.support.stack import Stack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

INQUIRY = {
    "first_name": "Dana",
    "last_name": "Whitlock",
    "phone": "(617) 555-0142",
    "preferred_contact_method": "sms",
    "reasons": ["depression"],
    "sms_consent": True,
    "privacy_acknowledged": True,
    "is_adult": True,
}


def test_the_public_form_takes_inquiries_while_the_cache_is_down(settings: Settings, tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "cache-redis")
    server.start()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url}}
    client = APIClient()
    try:
        assert client.post("/api/v1/inquiries/", INQUIRY, format="json").status_code == 201
        server.kill()
        after = client.post(
            "/api/v1/inquiries/", {**INQUIRY, "first_name": "Robin", "phone": "(617) 555-0199"}, format="json"
        )
    finally:
        server.kill()

    assert after.status_code == 201
    assert set(Inquiry.objects.values_list("first_name", flat=True)) == {"Dana", "Robin"}
    # Each confirmation text waits in the outbox; nothing about the cache decides whether it is sent.
    assert OutboundMessage.objects.filter(inquiry__first_name="Robin").count() == 1


def test_texts_go_out_once_each_while_the_rate_limiter_cannot_reach_its_cache(stack: Stack) -> None:
    # Nothing listens on this port: every cache call of the worker fails, its broker (the test Redis) works.
    dead_cache = f"redis://127.0.0.1:{free_port()}/0"
    bodies = batch_enqueue(label="Cache down", count=100, numbers=batch_numbers(first=0, count=10))
    worker = stack.worker(TEST_CACHE_URL=dead_cache)
    stack.beat()
    stack.start()

    wait_for_outbox(lambda counts: counts.get("delivered", 0) == 100, timeout=90, what="100 texts delivered")
    assert_delivered_exactly_once(bodies)
    assert b"shared cache unreachable" in worker.log.read_bytes()
    # The heartbeat alone fails: it is kept in the cache, and /readyz then rightly reports it stale.
    assert not [line for line in worker.task_failures() if "tasks.heartbeat" not in line]
