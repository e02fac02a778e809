"""The provider refuses 30% of requests with 429/500 and some numbers for good: retries are bounded and exact."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_started
from django.db.models import Max, Sum

from clinic.messaging.models import OutboundMessage
from clinic.messaging.sandbox.models import SandboxFailureRule, SandboxMessage
from clinic.messaging.sandbox.services import sandbox_failure_rule_create
from tests.faults.ledger import assert_delivered_exactly_once, batch_enqueue, batch_numbers, wait_for_outbox
from tests.support.stack import Stack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
Status = OutboundMessage.Status

# 300 texts make about 430 requests: enough to measure a 30% refusal rate within a few points.
TOTAL = 300
REFUSED_FOR_GOOD = 15  # 5%: each to a number of its own that the provider always refuses
PERMANENT_CODES = (21211, 21614)  # invalid number, not a mobile number
# Each retry is a fresh 30% draw, so twelve refusals in a row (p = 0.3^12, ~1e-4 over the batch) never happen.
MAX_ATTEMPTS = 12


class SandboxRequests:
    """Counts the create-message requests the sandbox receives (the live server runs in this process)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, sender: object, environ: dict[str, Any], **kwargs: object) -> None:
        if environ.get("REQUEST_METHOD") == "POST" and str(environ.get("PATH_INFO", "")).endswith("/Messages.json"):
            with self._lock:
                self.count += 1


@pytest.fixture
def sandbox_requests() -> Iterator[SandboxRequests]:
    counter = SandboxRequests()
    request_started.connect(counter, weak=False, dispatch_uid="faults-sandbox-requests")
    yield counter
    request_started.disconnect(dispatch_uid="faults-sandbox-requests")


def test_retryable_errors_are_retried_to_delivery_and_permanent_ones_fail_with_their_code(
    stack: Stack, sandbox_requests: SandboxRequests
) -> None:
    refused_numbers = batch_numbers(first=500, count=REFUSED_FOR_GOOD)
    # Rules are tried in order: the numbers refused for good first, then 15% + 15% of what is left (30%).
    for n, number in enumerate(refused_numbers):
        sandbox_failure_rule_create(
            kind=SandboxFailureRule.Kind.API, error_code=PERMANENT_CODES[n % 2], http_status=400, to_number=number
        )
    sandbox_failure_rule_create(kind="api", error_code=20429, http_status=429, fraction=0.15)
    sandbox_failure_rule_create(kind="api", error_code=20500, http_status=500, fraction=0.15 / 0.85)
    refused = batch_enqueue(label="Refused", count=REFUSED_FOR_GOOD, numbers=refused_numbers)
    flaky = batch_enqueue(label="Flaky", count=TOTAL - REFUSED_FOR_GOOD, numbers=batch_numbers(first=0, count=20))

    worker = stack.worker(SMS_MAX_ATTEMPTS=str(MAX_ATTEMPTS))
    stack.beat(SMS_MAX_ATTEMPTS=str(MAX_ATTEMPTS))
    stack.start()
    wait_for_outbox(
        lambda counts: counts.get("delivered", 0) + counts.get("failed", 0) == TOTAL,
        timeout=150,
        what="every text to be delivered or failed",
    )

    assert_delivered_exactly_once(flaky)
    for n, message in enumerate(OutboundMessage.objects.filter(body__in=refused).order_by("to_number")):
        assert (message.status, message.last_error_code, message.attempts) == (Status.FAILED, PERMANENT_CODES[n % 2], 1)
    assert not SandboxMessage.objects.filter(body__in=refused).exists()

    attempts = OutboundMessage.objects.aggregate(most=Max("attempts"), total=Sum("attempts"))
    assert 2 <= attempts["most"] <= MAX_ATTEMPTS
    # Every attempt is one request, and nothing else asks the provider to send.
    assert sandbox_requests.count == attempts["total"]
    refused_retryable = sandbox_requests.count - (TOTAL - REFUSED_FOR_GOOD) - REFUSED_FOR_GOOD
    share = refused_retryable / (sandbox_requests.count - REFUSED_FOR_GOOD)
    print(f"{sandbox_requests.count} requests, {share:.1%} refused and retried, at most {attempts['most']} attempts")
    assert 0.2 < share < 0.4, f"{share:.0%} of requests were refused, not about 30%"
    assert sandbox_requests.count < 2 * TOTAL
    assert not worker.task_failures()  # every refusal was an outcome, never a crash
