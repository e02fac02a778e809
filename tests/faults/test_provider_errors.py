"""The provider refuses 30% of requests with 429/500 and some numbers for good: retries are bounded and exact."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_started
from django.db.models import Max, Sum

from clinic.messaging.models import DeliveryAttempt, OutboundMessage
from clinic.messaging.sandbox.models import SandboxFailureRule, SandboxMessage
from clinic.messaging.sandbox.services import sandbox_failure_rule_create
from tests.faults.ledger import assert_delivered_exactly_once, batch_enqueue, batch_numbers, wait_for_outbox
from tests.support.stack import Stack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
Status = OutboundMessage.Status
Outcome = DeliveryAttempt.Outcome

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
    sends = _sends_by_message()
    for n, message in enumerate(OutboundMessage.objects.filter(body__in=refused).order_by("to_number")):
        assert (message.status, message.last_error_code) == (Status.FAILED, PERMANENT_CODES[n % 2])
        history = sends[message.id]
        # Refused for good: that refusal is the text's last try. A try before it can only be one whose
        # answer never came (a timeout or a dropped connection on a loaded machine), never a refusal.
        assert history[-1] == (Outcome.PERMANENT_FAILURE, str(PERMANENT_CODES[n % 2]))
        assert {outcome for outcome, _ in history[:-1]} <= {Outcome.UNKNOWN, Outcome.TEMPORARY_FAILURE}
        assert message.attempts == len(history)
    assert not SandboxMessage.objects.filter(body__in=refused).exists()

    attempts = OutboundMessage.objects.aggregate(most=Max("attempts"), total=Sum("attempts"))
    assert 2 <= attempts["most"] <= MAX_ATTEMPTS
    assert attempts["total"] == sum(len(history) for history in sends.values())
    # Every attempt is at most one request, and nothing else asks the provider to send. An attempt that
    # never connected made none; one whose connection broke without an answer may or may not have.
    never_reached = DeliveryAttempt.objects.filter(detail="could not connect").count()
    unanswered = DeliveryAttempt.objects.filter(outcome=Outcome.UNKNOWN, detail__startswith="no answer").count()
    reached_at_most = attempts["total"] - never_reached
    assert reached_at_most - unanswered <= sandbox_requests.count <= reached_at_most
    # The simulated refusals (429 and 500) among the requests for the texts that can be delivered.
    flaky_ids = set(OutboundMessage.objects.filter(body__in=flaky).values_list("id", flat=True))
    flaky_sends = [send for message_id in flaky_ids for send in sends[message_id]]
    simulated = sum(code in ("20429", "20500") for _, code in flaky_sends)
    share = simulated / len(flaky_sends)
    print(
        f"{sandbox_requests.count} requests, {share:.1%} refused and retried, at most {attempts['most']} attempts,"
        f" {unanswered} without an answer, {never_reached} not connected"
    )
    assert 0.2 < share < 0.4, f"{share:.0%} of requests were refused, not about 30%"
    assert sandbox_requests.count < 2 * TOTAL
    assert not worker.task_failures()  # every refusal was an outcome, never a crash


def _sends_by_message() -> dict[int, list[tuple[str, str]]]:
    """Each text's send attempts in order, as (outcome, code); lookups after an unknown outcome left out."""
    sends: dict[int, list[tuple[str, str]]] = defaultdict(list)
    lookups = (Outcome.FOUND, Outcome.NOT_FOUND)
    for message_id, outcome, code in (
        DeliveryAttempt.objects.exclude(outcome__in=lookups)
        .exclude(detail__startswith="lookup failed")
        .order_by("started_at", "id")
        .values_list("message_id", "outcome", "code")
    ):
        sends[message_id].append((outcome, code))
    return sends
