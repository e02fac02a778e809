"""Every call to the provider about a text is a row of its own: its outcome, code and latency, never its words.

The real Twilio SDK talks HTTP to the sandbox (served by the live server), through the provider
double where a test needs an answer the sandbox never gives. The test process plays the worker and beat.
"""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from clinic.accounts.roles import CLINICIAN, FRONT_DESK
from clinic.messaging import sending
from clinic.messaging.models import DeliveryAttempt, OutboundMessage
from clinic.messaging.outbox import outbox_claim_due, outbox_enqueue
from clinic.messaging.sandbox.models import SandboxFailureRule, SandboxMessage
from clinic.messaging.sandbox.services import sandbox_failure_rule_create
from clinic.messaging.sending import OUTCOME_UNKNOWN, outbox_reconcile_stale, outbox_send_batch
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory, UserFactory
from tests.support.phones import PHONE
from tests.support.provider_double import DROP, Exchange, ProviderDouble, is_create

Status = OutboundMessage.Status
Outcome = DeliveryAttempt.Outcome

BODY = "Hi Ana, your visit with Dr Reyes is on Tuesday at 9:00. Reply C to confirm."


@pytest.fixture
def _texting_all_day(transactional_db: None, settings: Settings) -> None:
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))
    settings.SMS_RATE_PER_SECOND = 0  # the test sends back to back


def patient(phone: str = PHONE) -> Patient:
    existing = Patient.objects.filter(phone=phone).first()
    return existing or PatientFactory(phone=phone, sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")


def text(key: str, body: str = BODY, *, to: str = PHONE) -> OutboundMessage:
    return outbox_enqueue(
        kind=OutboundMessage.Kind.AD_HOC, to_number=to, body=body, patient_id=patient(to).pk, idempotency_key=key
    )


def send(message: OutboundMessage) -> str:
    """Play the worker: hand the row to the batch send service as a dispatched task would; what became of it."""
    OutboundMessage.objects.filter(pk=message.pk, status=Status.SCHEDULED).update(status=Status.QUEUED)
    [(result, count)] = outbox_send_batch(message_ids=[message.pk]).counts.items()
    assert count == 1
    return result


def history(message: OutboundMessage) -> list[DeliveryAttempt]:
    """The text's attempts as staff see them: newest first."""
    return list(DeliveryAttempt.objects.filter(message=message))


def sandbox_sid(body: str = BODY) -> str:
    return SandboxMessage.objects.get(direction="outbound-api", body=body).sid


def assert_no_private_data(attempts: list[DeliveryAttempt]) -> None:
    for attempt in attempts:
        kept = " ".join(str(getattr(attempt, field.attname)) for field in DeliveryAttempt._meta.fields)
        for private in (PHONE, PHONE.removeprefix("+1"), BODY, "Ana", "Reyes"):
            assert private not in kept


# --- Sending --------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_an_accepted_send_is_one_attempt_with_its_latency_and_the_provider_id(sandbox_live: str) -> None:
    message = text("accepted")
    before = timezone.now()

    assert send(message) == "sent"

    [attempt] = history(message)
    assert attempt.outcome == Outcome.ACCEPTED
    assert attempt.provider_message_id == sandbox_sid()
    assert attempt.latency_ms is not None and attempt.latency_ms >= 0
    assert before <= attempt.started_at <= timezone.now()
    assert (attempt.code, attempt.detail) == ("", "")
    assert send(message) == "not queued"  # a repeated task calls no provider and keeps no attempt
    assert len(history(message)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_a_batch_keeps_one_attempt_per_text_timed_on_its_thread(sandbox_live: str) -> None:
    messages = [text(f"batch-{n}", f"Batch text {n}", to=f"+1617555{n:04d}") for n in range(4)]
    claimed = outbox_claim_due(enqueue=False)
    assert sorted(claimed) == sorted(message.pk for message in messages)

    assert outbox_send_batch(message_ids=claimed).counts == {"sent": 4}

    for message in messages:
        [attempt] = history(message)
        assert attempt.outcome == Outcome.ACCEPTED and attempt.latency_ms is not None
        assert attempt.provider_message_id == sandbox_sid(message.body)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_a_temporary_failure_then_success_is_two_attempts(sandbox_live: str) -> None:
    sandbox_failure_rule_create(kind=SandboxFailureRule.Kind.API, error_code=20429, http_status=429, remaining=1)
    message = text("retried")

    assert send(message) == "retry scheduled"
    assert send(message) == "sent"

    newest, oldest = history(message)
    assert (oldest.outcome, oldest.code, oldest.detail, oldest.provider_message_id) == (
        Outcome.TEMPORARY_FAILURE,
        "20429",
        "HTTP 429",
        "",
    )
    assert oldest.latency_ms is not None
    assert (newest.outcome, newest.code, newest.provider_message_id) == (Outcome.ACCEPTED, "", sandbox_sid())
    assert newest.started_at >= oldest.started_at


def refusal_quoting_the_text(exchange: Exchange) -> tuple[int, bytes] | None:
    """Twilio's 21211, its message quoting the number and the words (as provider error texts can)."""
    if not is_create(exchange):
        return None
    words = exchange.form["Body"][0]
    number = exchange.form["To"][0]
    error = {"code": 21211, "message": f"The 'To' number {number} is not valid ({words})", "status": 400}
    return 400, json.dumps(error).encode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_a_permanent_failure_keeps_the_code_and_never_the_number_or_the_words(double: ProviderDouble) -> None:
    double.intercept = refusal_quoting_the_text
    message = text("refused")

    assert send(message) == "failed"
    assert OutboundMessage.objects.get(pk=message.pk).last_error_code == 21211

    [attempt] = history(message)
    assert (attempt.outcome, attempt.code, attempt.detail) == (Outcome.PERMANENT_FAILURE, "21211", "HTTP 400")
    assert attempt.latency_ms is not None
    assert_no_private_data([attempt])
    assert PHONE in OutboundMessage.objects.get(pk=message.pk).last_error_message  # the provider did quote it


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_no_attempt_of_any_outcome_holds_the_number_or_the_words(double: ProviderDouble, no_callbacks: None) -> None:
    # Unknown (the answer lost after the text was created), then found by the lookup.
    double.rewrite = lambda exchange: DROP if is_create(exchange) else None
    lost = text("lost")
    assert send(lost) == OUTCOME_UNKNOWN
    double.rewrite = lambda exchange: None
    # Unknown (a 503 before anything was created), then not found, then sent again.
    double.intercept = lambda exchange: (503, b"<html>unavailable</html>") if is_create(exchange) else None
    other = text("unavailable", BODY + " ", to="+16175550143")
    assert send(other) == OUTCOME_UNKNOWN
    double.intercept = lambda exchange: None

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20)):  # the lookups are due
        counts = outbox_reconcile_stale()
        assert send(other) == "sent"
    assert counts == {"found": 1, "resent": 1, "failed": 0, "unknown": 0, "skipped": 0, "errors": 0}

    found, unknown = history(lost)
    assert (unknown.outcome, unknown.detail) == (Outcome.UNKNOWN, "no answer (ConnectionError)")
    assert (found.outcome, found.provider_message_id) == (Outcome.FOUND, sandbox_sid())
    assert found.detail == "looked up after an unknown outcome"
    assert [(attempt.outcome, attempt.code, attempt.detail) for attempt in history(other)] == [
        (Outcome.ACCEPTED, "", ""),
        (Outcome.NOT_FOUND, "", "looked up after an unknown outcome"),
        (Outcome.UNKNOWN, "", "HTTP 503"),
    ]
    assert_no_private_data(list(DeliveryAttempt.objects.all()))


class WorkerKilled(BaseException):
    """The worker process ends here (nothing of ours catches it, as nothing catches a SIGKILL)."""


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_a_worker_killed_between_the_call_and_the_attempt_row_never_sends_twice(
    sandbox_live: str, no_callbacks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*args: object, **kwargs: object) -> None:
        raise WorkerKilled

    monkeypatch.setattr(sending, "_attempts_keep", killed)
    message = text("killed")
    with pytest.raises(WorkerKilled):
        send(message)
    monkeypatch.undo()
    assert OutboundMessage.objects.get(pk=message.pk).status == Status.SENDING
    assert history(message) == []

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert outbox_reconcile_stale()["found"] == 1

    row = OutboundMessage.objects.get(pk=message.pk)
    assert (row.status, row.provider_sid, row.attempts) == (Status.SENT, sandbox_sid(), 1)
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 1
    [attempt] = history(message)
    assert (attempt.outcome, attempt.detail) == (Outcome.FOUND, "looked up after its sender stopped")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_an_attempt_that_cannot_be_kept_changes_nothing_about_the_send(
    sandbox_live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"cannot keep an attempt for {PHONE}")

    monkeypatch.setattr(DeliveryAttempt.objects, "bulk_create", refuse)
    message = text("unkept")

    assert send(message) == "sent"
    assert history(message) == []  # the attempt really was refused
    assert OutboundMessage.objects.get(pk=message.pk).provider_sid == sandbox_sid()
    assert send(message) == "not queued"
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 1


# --- Who sees them --------------------------------------------------------------------------------------


def sent_with_history(kind: str = OutboundMessage.Kind.REMINDER) -> OutboundMessage:
    message = OutboundMessage.objects.create(
        kind=kind,
        to_number=PHONE,
        body=BODY,
        patient=patient(),
        idempotency_key=f"history:{kind}",
        send_after=timezone.now(),
        status=Status.SENT,
        provider_sid="SM" + "b" * 32,
    )
    start = timezone.now() - datetime.timedelta(minutes=10)
    DeliveryAttempt.objects.create(
        message=message,
        started_at=start,
        latency_ms=180,
        outcome=Outcome.TEMPORARY_FAILURE,
        code="20429",
        detail="HTTP 429",
    )
    DeliveryAttempt.objects.create(
        message=message,
        started_at=start + datetime.timedelta(minutes=5),
        latency_ms=95,
        outcome=Outcome.ACCEPTED,
        provider_message_id="SM" + "b" * 32,
    )
    return message


def admin_page(user: AbstractBaseUser, message: OutboundMessage) -> tuple[int, str]:
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(user)
    response = client.get(f"/admin/messaging/outboundmessage/{message.pk}/change/")
    return response.status_code, response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [FRONT_DESK, CLINICIAN])
def test_staff_who_may_read_the_text_see_its_attempts_newest_first(role: str) -> None:
    message = sent_with_history()

    status, page = admin_page(UserFactory(username=f"reader-{role}", role=role), message)

    assert status == 200
    attempts = page[page.index('id="delivery_attempts-group"') :]
    assert attempts.index("Accepted") < attempts.index("Temporary failure (retryable)")  # newest first
    assert "20429" in attempts and "HTTP 429" in attempts and "180" in attempts
    assert 'name="delivery_attempts-0-detail"' not in page  # read-only: no inputs


@pytest.mark.django_db
def test_front_desk_sees_the_attempts_of_a_check_in_but_not_its_words(front_desk: AbstractBaseUser) -> None:
    message = sent_with_history(OutboundMessage.Kind.CHECKIN)

    status, page = admin_page(front_desk, message)

    assert status == 200 and "20429" in page
    assert BODY not in page


@pytest.mark.django_db
def test_attempts_are_out_of_reach_of_whoever_may_not_read_the_text() -> None:
    message = sent_with_history()
    no_role = UserFactory(username="no-role")
    attempts_only = UserFactory(username="attempts-only")
    attempts_only.user_permissions.add(
        Permission.objects.get(content_type__app_label="messaging", codename="view_deliveryattempt")
    )

    for user in (no_role, attempts_only):
        status, page = admin_page(user, message)
        assert status == 403 and "20429" not in page
    # No page of their own either.
    client = Client()
    client.force_login(attempts_only)
    assert client.get("/admin/messaging/deliveryattempt/").status_code == 404


@pytest.mark.django_db
def test_the_staff_api_lists_an_outbound_texts_attempts(front_desk: AbstractBaseUser) -> None:
    message = sent_with_history()
    client = APIClient()
    client.force_authenticate(user=front_desk)

    entries = client.get(f"/api/v1/patients/{message.patient_id}/messages/").json()

    [entry] = entries
    assert [(a["outcome"], a["code"], a["latency_ms"]) for a in entry["attempts"]] == [
        ("accepted", "", 95),
        ("temporary_failure", "20429", 180),
    ]
    assert entry["attempts"][0]["provider_message_id"] == "SM" + "b" * 32
    refused = APIClient()
    refused.force_authenticate(user=UserFactory(username="no-role"))
    assert refused.get(f"/api/v1/patients/{message.patient_id}/messages/").status_code == 403
