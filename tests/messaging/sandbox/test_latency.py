"""SMS_SANDBOX_LATENCY_MS: the sandbox answers like Twilio over the internet, without holding up other requests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from pytest_django.fixtures import Settings
from twilio.rest import Client

from clinic.messaging.sandbox.models import SandboxMessage
from clinic.messaging.twilio_client import twilio_client_build
from tests.support.phones import phone_number

pytestmark = pytest.mark.django_db(transaction=True)

LATENCY_MS = 700
REQUESTS = 8


def create(twilio: Client, n: int) -> tuple[float, float]:
    started = time.monotonic()
    twilio.messages.create(to=phone_number(n), from_="+15005550006", body=f"Latency {n}")
    return started, time.monotonic()


def test_each_api_answer_waits_the_latency_and_the_waits_overlap(
    twilio: Client, sandbox_url: str, settings: Settings
) -> None:
    settings.SMS_SANDBOX_LATENCY_MS = LATENCY_MS
    started, ended = create(twilio, 0)
    assert ended - started >= LATENCY_MS / 1000  # a sleep never ends early

    clients = [twilio_client_build(api_url=sandbox_url) for _ in range(REQUESTS)]
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        spans = list(pool.map(create, clients, range(1, REQUESTS + 1)))

    assert all(end - start >= LATENCY_MS / 1000 for start, end in spans)
    # Served one after another they would take REQUESTS x the latency (5.6 s); side by side, about one.
    assert max(end for _, end in spans) - min(start for start, _ in spans) < (REQUESTS - 1) * LATENCY_MS / 1000
    assert SandboxMessage.objects.count() == REQUESTS + 1


def test_no_latency_by_default() -> None:
    from django.conf import settings

    assert settings.SMS_SANDBOX_LATENCY_MS == 0
