"""Texts from the outbox to the SMS sandbox through a real Celery worker, the real Twilio SDK and HTTP.

The test process plays beat (it calls the dispatcher); the worker is a separate `celery worker`
process on the real Redis broker and PostgreSQL; the sandbox is served by the live server, and its
status callbacks come back to our webhook signed like Twilio's.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clinic.messaging.models import OutboundMessage, PhoneNumberState
from clinic.messaging.outbox import outbox_claim_due, outbox_enqueue, outbox_requeue_lost
from clinic.messaging.sandbox.models import SandboxFailureRule, SandboxMessage
from clinic.messaging.sandbox.services import sandbox_failure_rule_create
from clinic.messaging.sending import outbox_reconcile_stale
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory
from tests.support.phones import phone_number
from tests.support.processes import CeleryWorker, wait_until
from tests.support.sandbox import SMS_PATH, inbound_params, post_signed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
Status = OutboundMessage.Status
FINAL = (Status.DELIVERED, Status.UNDELIVERED, Status.FAILED, Status.SUPPRESSED, Status.CANCELLED)


@pytest.fixture(autouse=True)
def _texting_all_day(db: None) -> None:
    # The worker runs on the wall clock; a clinic that texts around the clock keeps these tests timeless.
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))


def patient(phone: str = "+16175550142") -> Patient:
    return PatientFactory(phone=phone, sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")


def text(to: Patient, key: str, body: str | None = None) -> OutboundMessage:
    return outbox_enqueue(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number=to.phone,
        body=body or f"Test text {key}",
        patient_id=to.pk,
        idempotency_key=key,
    )


def dispatch_until(done: Any, *, timeout: float, what: str) -> None:
    """Play beat: keep settling rows whose outcome is unknown and dispatching due rows until `done()` holds."""

    def step() -> bool:
        outbox_reconcile_stale()
        outbox_claim_due(limit=500)
        return bool(done())

    wait_until(step, timeout=timeout, what=what, interval=0.2)


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in OutboundMessage.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_due_texts_are_sent_once_and_delivered(worker: CeleryWorker) -> None:
    person = patient()
    for n in range(20):
        text(person, f"batch-{n}")
    text(person, "later").__class__.objects.filter(idempotency_key="later").update(
        send_after=timezone.now() + datetime.timedelta(hours=2)
    )

    dispatch_until(
        lambda: OutboundMessage.objects.filter(status=Status.DELIVERED).count() == 20,
        timeout=60,
        what="20 texts delivered",
    )

    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 20
    sent = OutboundMessage.objects.filter(status=Status.DELIVERED)
    assert set(sent.values_list("attempts", flat=True)) == {1}
    assert all(m.provider_sid and m.provider_sid.startswith("SM") for m in sent)
    assert OutboundMessage.objects.get(idempotency_key="later").status == Status.SCHEDULED


def test_retryable_errors_retry_then_succeed(worker: CeleryWorker) -> None:
    person = patient()
    sandbox_failure_rule_create(kind=SandboxFailureRule.Kind.API, error_code=20429, http_status=429, remaining=1)
    sandbox_failure_rule_create(kind=SandboxFailureRule.Kind.API, error_code=20500, http_status=500, remaining=1)
    message = text(person, "flaky")

    dispatch_until(
        lambda: OutboundMessage.objects.get(pk=message.pk).status == Status.DELIVERED,
        timeout=60,
        what="the text to get through after two errors",
    )
    message.refresh_from_db()
    assert message.attempts == 3
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 1


def test_a_500_after_the_provider_created_the_text_is_settled_and_the_text_sent_once(worker: CeleryWorker) -> None:
    person = patient()
    sandbox_failure_rule_create(kind=SandboxFailureRule.Kind.AFTER_CREATE, error_code=20500, http_status=500)
    message = text(person, "created-then-500")

    dispatch_until(
        lambda: OutboundMessage.objects.get(pk=message.pk).status == Status.DELIVERED,
        timeout=60,
        what="the text to be settled after the 500",
    )
    message.refresh_from_db()
    assert message.attempts == 1
    assert list(SandboxMessage.objects.filter(direction="outbound-api").values_list("sid", flat=True)) == [
        message.provider_sid
    ]


def test_permanent_errors_fail_with_the_code_and_21610_opts_the_number_out(worker: CeleryWorker) -> None:
    bad, stopped = patient("+16175550143"), patient("+16175550144")
    sandbox_failure_rule_create(kind="api", error_code=21211, http_status=400, to_number=bad.phone)
    sandbox_failure_rule_create(kind="api", error_code=21610, http_status=400, to_number=stopped.phone)
    text(bad, "bad-number")
    text(stopped, "stopped-number")

    dispatch_until(lambda: statuses() == {Status.FAILED: 2}, timeout=60, what="both texts to fail")

    failed = {m.to_number: m for m in OutboundMessage.objects.all()}
    assert failed[bad.phone].last_error_code == 21211 and failed[bad.phone].attempts == 1
    assert failed[stopped.phone].last_error_code == 21610
    assert PhoneNumberState.objects.get(phone=stopped.phone).is_opted_out
    assert PhoneNumberState.objects.get(phone=bad.phone).needs_staff_attention


def test_attempts_stay_bounded_when_errors_never_stop(worker: CeleryWorker, settings: Any) -> None:
    person = patient()
    sandbox_failure_rule_create(kind="api", error_code=20500, http_status=503)
    message = text(person, "never")

    dispatch_until(
        lambda: OutboundMessage.objects.get(pk=message.pk).status == Status.FAILED, timeout=90, what="giving up"
    )
    message.refresh_from_db()
    assert message.attempts == settings.SMS_MAX_ATTEMPTS
    assert SandboxMessage.objects.count() == 0


def test_stop_suppresses_a_due_text_and_start_lets_the_next_one_through(worker: CeleryWorker) -> None:
    person = patient()
    client = Client()
    post_signed(client, SMS_PATH, inbound_params("STOP", sid="SM" + "1" * 32, from_number=person.phone))
    blocked = text(person, "after-stop")
    dispatch_until(lambda: OutboundMessage.objects.get(pk=blocked.pk).status in FINAL, timeout=60, what="suppression")
    blocked.refresh_from_db()
    assert (blocked.status, blocked.suppressed_reason) == (Status.SUPPRESSED, "opted out")
    assert SandboxMessage.objects.count() == 0

    post_signed(client, SMS_PATH, inbound_params("START", sid="SM" + "2" * 32, from_number=person.phone))
    allowed = text(person, "after-start")
    dispatch_until(
        lambda: OutboundMessage.objects.get(pk=allowed.pk).status == Status.DELIVERED, timeout=60, what="delivery"
    )
    assert list(SandboxMessage.objects.filter(direction="outbound-api").values_list("body", flat=True)) == [
        "Test text after-start"
    ]


def test_delivery_failure_reported_by_callback_is_recorded(worker: CeleryWorker) -> None:
    person = patient()
    sandbox_failure_rule_create(kind="delivery", error_code=30006, to_number=person.phone)
    message = text(person, "landline")
    dispatch_until(
        lambda: OutboundMessage.objects.get(pk=message.pk).status == Status.UNDELIVERED, timeout=60, what="callback"
    )
    message.refresh_from_db()
    assert message.last_error_code == 30006
    assert PhoneNumberState.objects.get(phone=person.phone).undeliverable_code == 30006


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(worker: CeleryWorker) -> None:
    people = [patient(phone_number(n)) for n in range(10)]
    total = 1000
    for n in range(total):
        text(people[n % 10], f"kill-{n}", body=f"Batch text number {n}")
    outbox_claim_due(limit=total)

    wait_until(lambda: SandboxMessage.objects.count() >= 100, timeout=120, what="the worker to be well into the batch")
    worker.kill()
    in_flight = OutboundMessage.objects.filter(status__in=(Status.QUEUED, Status.SENDING)).count()
    assert in_flight > 0, "the kill should land while texts are still being sent"
    worker.start()

    def settled() -> bool:
        # What a beat would do after the crash: settle rows the dead worker left in `sending`,
        # hand out rows whose tasks died with it, and dispatch.
        outbox_reconcile_stale(older_than=datetime.timedelta(seconds=2))
        outbox_requeue_lost(older_than=datetime.timedelta(seconds=20))
        outbox_claim_due(limit=total)
        return OutboundMessage.objects.filter(status__in=(Status.SENT, Status.DELIVERED)).count() == total

    wait_until(settled, timeout=300, what="every text of the batch to be sent", interval=1.0)

    bodies = list(SandboxMessage.objects.filter(direction="outbound-api").values_list("body", flat=True))
    assert len(bodies) == total
    assert len(set(bodies)) == total  # every text exactly once
