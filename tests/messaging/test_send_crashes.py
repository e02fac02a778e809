"""An exception of our own while sending a claimed row (not an answer from Twilio).

Each such attempt counts: a row that crashes every time is tried SMS_MAX_ATTEMPTS times, then fails,
logged once at error level and without its number or words; it is never sent twice, and the rest of
its batch goes out. The test process plays the worker and beat; the sandbox, served by the live
server, is the provider.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

import pytest
import time_machine
from django.utils import timezone
from pytest_django.fixtures import Settings

from clinic.messaging import numbers, sending
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_claim_due, outbox_enqueue
from clinic.messaging.sandbox.models import SandboxMessage
from clinic.messaging.sandbox.services import sandbox_failure_rule_create
from clinic.messaging.sending import CAUSE_CHECKS, outbox_reconcile_stale, outbox_send, outbox_send_batch
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory
from tests.support.phones import phone_number

pytestmark = pytest.mark.django_db(transaction=True)
Status = OutboundMessage.Status

POISON = "+16175550199"
POISON_BODY = "Hi Ana, your session with Dr Reyes is on Tuesday"
MAX_ATTEMPTS = 4


@pytest.fixture(autouse=True)
def _sending_back_to_back(transactional_db: None, settings: Settings) -> None:
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))
    settings.SMS_RATE_PER_SECOND = 0
    settings.SMS_MAX_ATTEMPTS = MAX_ATTEMPTS


def consenting(phone: str) -> Patient:
    return PatientFactory(phone=phone, sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")


def text(key: str, *, to: Patient, body: str = "", **fields: str) -> OutboundMessage:
    return outbox_enqueue(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number=to.phone,
        body=body or f"Test text {key}",
        patient_id=to.pk,
        idempotency_key=key,
        **fields,
    )


def crash(message: OutboundMessage | str) -> None:
    # Quotes the row's number and words, as a careless exception would: none of it may reach a log.
    raise RuntimeError(f"cannot text {POISON}: {POISON_BODY}")


def crash_checking_the_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CAUSE_CHECKS, "tests.poison", crash)


def crash_calling_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    real = sending._provider_send

    def provider_send(message: OutboundMessage) -> str:
        if message.to_number == POISON:
            crash(message)
        return real(message)

    monkeypatch.setattr(sending, "_provider_send", provider_send)


def crash_handling_the_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox_failure_rule_create(kind="api", error_code=21211, http_status=400, to_number=POISON)
    monkeypatch.setattr(numbers, "number_mark_undeliverable", lambda **kwargs: crash(""))


def play(rounds: int) -> None:
    """Play beat and the worker, each round an hour after the last, so every retry and reconciliation is due."""
    start = timezone.now()
    for n in range(1, rounds + 1):
        with time_machine.travel(start + datetime.timedelta(hours=n)):
            outbox_reconcile_stale()
            claimed = outbox_claim_due(enqueue=False)
            if claimed:
                outbox_send_batch(message_ids=claimed)


def sent_to_sandbox(body: str) -> int:
    return SandboxMessage.objects.filter(direction="outbound-api", body=body).count()


@pytest.mark.parametrize(
    "break_it",
    [crash_checking_the_row, crash_calling_the_provider, crash_handling_the_refusal],
    ids=["checking the row", "calling the provider", "handling the provider's refusal"],
)
def test_a_row_that_always_crashes_fails_after_the_attempt_limit_and_its_batch_goes_out(
    sandbox_live: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    break_it: Callable[[pytest.MonkeyPatch], None],
) -> None:
    break_it(monkeypatch)
    others = [text(f"ok-{n}", to=consenting(phone_number(n))) for n in range(5)]
    poisoned = text("poisoned", to=consenting(POISON), body=POISON_BODY, related_type="tests.poison", related_id="1")

    with caplog.at_level(logging.INFO, logger="clinic.messaging"):
        play(rounds=MAX_ATTEMPTS + 3)  # more rounds than attempts: a failed row stays failed

    row = OutboundMessage.objects.get(pk=poisoned.pk)
    assert (row.status, row.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    assert row.last_error_message.startswith(f"gave up after {MAX_ATTEMPTS} attempts: ")
    assert "RuntimeError" in row.last_error_message
    assert POISON not in row.last_error_message and POISON_BODY not in row.last_error_message
    assert sent_to_sandbox(POISON_BODY) == 0

    for message in others:
        settled = OutboundMessage.objects.get(pk=message.pk)
        assert (settled.status in (Status.SENT, Status.DELIVERED), settled.attempts) == (True, 1)
        assert sent_to_sandbox(message.body) == 1

    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage().split(" (")[0] for record in errors] == [
        f"sms {poisoned.pk} failed after {MAX_ATTEMPTS} attempts"
    ]
    logged = "\n".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)
    assert "RuntimeError" in logged  # each crash is logged (type and frames), as a warning
    for private in (POISON, POISON.removeprefix("+1"), POISON_BODY):
        assert private not in logged


@pytest.mark.parametrize("sender", ["batch", "single"])
def test_a_crash_after_the_provider_accepted_the_text_never_sends_it_twice(
    sandbox_live: str, monkeypatch: pytest.MonkeyPatch, sender: str
) -> None:
    # The provider has the text; recording that goes wrong (say the database connection dropped).
    monkeypatch.setattr(sending, "outbox_record_sent", lambda **kwargs: crash(""))
    monkeypatch.setattr(sending, "_early_reports_apply_many", lambda sids: crash(""))
    message = text("accepted", to=consenting(POISON), body=POISON_BODY)
    assert outbox_claim_due(enqueue=False) == [message.pk]

    if sender == "batch":
        outbox_send_batch(message_ids=[message.pk])
    else:
        assert outbox_send(message_id=message.pk).result == sending.OUTCOME_UNKNOWN
    assert OutboundMessage.objects.get(pk=message.pk).status == Status.SENDING
    monkeypatch.undo()

    play(rounds=3)

    row = OutboundMessage.objects.get(pk=message.pk)
    assert row.status in (Status.SENT, Status.DELIVERED) and row.attempts == 1
    assert row.provider_sid == SandboxMessage.objects.get(body=POISON_BODY).sid
    assert sent_to_sandbox(POISON_BODY) == 1
