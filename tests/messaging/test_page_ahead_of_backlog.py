"""A page to the on-call clinician overtakes a backlog of reminders, through a real worker and the sandbox.

The worker keeps to a low send rate, so the reminders take many seconds to drain; the test plays beat
and keeps the broker full of their send tasks. A crisis text then arrives as a signed webhook: its page
must reach the sandbox while most of the backlog is still waiting. Asserted on the order in which the
sandbox received the texts, never on durations.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_claim_due, outbox_enqueue
from clinic.messaging.sandbox.models import SandboxMessage
from tests.factories import ClinicFactory, PatientFactory
from tests.support.phones import ON_CALL, phone_number
from tests.support.processes import CeleryWorker, wait_until
from tests.support.sandbox import SMS_PATH, inbound_params, post_signed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
Status = OutboundMessage.Status
RATE = 10
BACKLOG = 200


def backlog(count: int) -> list[int]:
    people = [
        PatientFactory(phone=phone_number(n), sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")
        for n in range(10)
    ]
    now = timezone.now()
    return [
        outbox_enqueue(
            kind=OutboundMessage.Kind.REMINDER,
            to_number=people[n % 10].phone,
            body=f"Reminder {n}",
            patient_id=people[n % 10].pk,
            idempotency_key=f"backlog-{n}",
            send_after=now - datetime.timedelta(seconds=count - n),
        ).pk
        for n in range(count)
    ]


def outbound() -> Any:
    return SandboxMessage.objects.filter(direction="outbound-api")


@pytest.fixture
def slow_worker(worker: CeleryWorker, settings: Any) -> CeleryWorker:
    """The worker, restarted with a send rate low enough that the backlog lasts."""
    settings.SMS_RATE_PER_SECOND = RATE  # this process plays beat: it claims what that rate allows per tick
    worker.stop()
    worker.env["SMS_RATE_PER_SECOND"] = str(RATE)
    worker.start()
    return worker


def test_a_crisis_page_reaches_the_sandbox_ahead_of_the_reminder_backlog(slow_worker: CeleryWorker) -> None:
    ClinicFactory(
        on_call_phone=ON_CALL, texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999)
    )
    backlog(BACKLOG)
    patient = PatientFactory(phone="+16175550142", sms_consent_at=timezone.now())

    def beat_until(done: Any, what: str) -> None:
        def step() -> bool:
            # The whole backlog handed to the broker at once (a beat keeps only a little over one interval
            # in flight): the page must still overtake every task already waiting there.
            outbox_claim_due(limit=BACKLOG)
            return bool(done())

        wait_until(step, timeout=120, what=what, interval=0.2)

    # The first reminders are out and the rest wait: queued rows with their tasks in the broker.
    beat_until(lambda: outbound().count() >= 10, "the backlog to start draining")
    beat_until(lambda: not OutboundMessage.objects.filter(status=Status.SCHEDULED).exists(), "the backlog queued")
    assert OutboundMessage.objects.filter(status=Status.QUEUED).count() >= BACKLOG // 2

    response = post_signed(Client(), SMS_PATH, inbound_params("i want to die tonight", from_number=patient.phone))
    assert response.status_code == 200
    page = OutboundMessage.objects.get(to_number=ON_CALL)
    assert page.priority == OutboundMessage.Priority.URGENT

    # No beat from here on: the page's own urgent dispatch must carry it.
    wait_until(lambda: outbound().filter(to_number=ON_CALL).exists(), timeout=60, what="the page at the sandbox")

    arrived = outbound().get(to_number=ON_CALL)
    before_page = outbound().filter(pk__lt=arrived.pk).count()
    # Most of the backlog had not gone out when the page did.
    assert before_page < BACKLOG // 2, f"the page came after {before_page} of {BACKLOG} reminders"

    # And the backlog still drains, each reminder once.
    beat_until(lambda: outbound().exclude(to_number=ON_CALL).count() >= BACKLOG, "the backlog drained")
    bodies = list(outbound().exclude(to_number=ON_CALL).values_list("body", flat=True))
    assert len(bodies) == len(set(bodies)) == BACKLOG
