"""Email over real SMTP: an aiosmtpd server started by the test receives what the outbox sends.

In this process first (temporary and permanent refusals, an unreachable server), then end to end: a
real Celery worker sends an inquiry's acknowledgement to the server.
"""

from __future__ import annotations

import datetime
import email
import email.policy
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from clinic.messaging.email.addresses import email_state
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_claim_due, outbox_enqueue
from clinic.messaging.sending import outbox_send_batch
from clinic.messaging.wording import forbidden_words_in
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory
from tests.support.processes import CeleryWorker, free_port, wait_until
from tests.support.stack import process_env

Status = OutboundMessage.Status


class RecordingHandler:
    """Keeps every message it accepts; answers RCPT with the queued refusals first (e.g. 451 once)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.rcpt_answers: list[str] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.rcpt_answers:
            return self.rcpt_answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[RecordingHandler, int]]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def smtp(settings: Settings, smtp_server: tuple[RecordingHandler, int]) -> RecordingHandler:
    handler, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return handler


@pytest.fixture
def clinic(db: None) -> None:
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))


def email_patient(address: str = "pat@example.com") -> Patient:
    return PatientFactory(email=address, email_consent_at=timezone.now(), email_consent_address=address)


def an_email(patient: Patient) -> OutboundMessage:
    return outbox_enqueue(
        kind=OutboundMessage.Kind.REMINDER,
        channel=OutboundMessage.Channel.EMAIL,
        to_email=patient.email,
        subject="Harbor Clinic: a note",
        body=f"Hi {patient.first_name},\n\nA note from us.",
        patient_id=patient.pk,
        idempotency_key=f"note-{patient.pk}",
    )


def send_due() -> None:
    outbox_send_batch(message_ids=outbox_claim_due(limit=100, enqueue=False))


def parts(message: Message) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


@pytest.mark.django_db
def test_the_worker_s_email_arrives_over_smtp_with_both_parts_and_the_unsubscribe_headers(
    smtp: RecordingHandler, clinic: None
) -> None:
    row = an_email(email_patient())
    send_due()

    [received] = smtp.messages
    assert received["To"] == "pat@example.com" and received["Subject"] == "Harbor Clinic: a note"
    assert received["From"] == settings.DEFAULT_FROM_EMAIL
    assert received["List-Unsubscribe"].strip().startswith(f"<{settings.PUBLIC_BASE_URL}/email/unsubscribe/")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Message-ID"].startswith(f"<outbox-{row.pk}.")
    text = parts(received)
    assert set(text) == {"text/plain", "text/html"}
    for body in text.values():
        assert "A note from us." in body and "988" in body and "911" in body and "not read" in body
        assert forbidden_words_in(body) == []
    row.refresh_from_db()
    assert row.status == Status.SENT


@pytest.mark.django_db
def test_a_temporary_refusal_is_retried_with_backoff_then_sent(smtp: RecordingHandler, clinic: None) -> None:
    smtp.rcpt_answers = ["451 4.3.0 Try again later"]
    row = an_email(email_patient())
    send_due()
    row.refresh_from_db()
    assert (row.status, row.last_error_code, row.attempts) == (Status.SCHEDULED, 451, 1)
    assert row.send_after > timezone.now()
    assert smtp.messages == []

    with time_machine.travel(row.send_after + datetime.timedelta(seconds=1), tick=False):
        send_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_an_unknown_mailbox_fails_the_row_with_its_code_and_marks_the_address(
    smtp: RecordingHandler, clinic: None
) -> None:
    smtp.rcpt_answers = ["550 5.1.1 Mailbox unknown"]
    patient = email_patient()
    row = an_email(patient)
    send_due()
    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (Status.FAILED, 550)
    state = email_state(patient.email)
    assert state is not None and state.undeliverable_code == 550 and state.needs_staff_attention
    again = outbox_enqueue(
        kind=OutboundMessage.Kind.REMINDER,
        channel=OutboundMessage.Channel.EMAIL,
        to_email=patient.email,
        subject="s",
        body="b",
        patient_id=patient.pk,
        idempotency_key="again",
    )
    assert again.suppressed_reason == "address undeliverable"


@pytest.mark.django_db
def test_a_mail_server_that_cannot_be_reached_is_a_temporary_failure(settings: Settings, clinic: None) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    row = an_email(email_patient())
    send_due()
    row.refresh_from_db()
    assert row.status == Status.SCHEDULED and "could not connect" in row.last_error_message


# --- End to end: a real worker process -----------------------------------------------------------


@pytest.fixture
def email_worker(
    sandbox_live: str, tmp_path: Path, smtp_server: tuple[RecordingHandler, int]
) -> Iterator[CeleryWorker]:
    env = process_env(sandbox_live, tmp_path / "var", EMAIL_URL=f"smtp://127.0.0.1:{smtp_server[1]}")
    process = CeleryWorker(env, tmp_path / "worker.log")
    process.start()
    yield process
    process.stop()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_inquiry_that_chose_email_is_acknowledged_by_a_real_worker_over_smtp(
    email_worker: CeleryWorker, smtp_server: tuple[RecordingHandler, int], clinic: None
) -> None:
    handler, _ = smtp_server
    handler.rcpt_answers = ["451 4.3.0 Try again later"]  # once: retried by the worker's backoff
    response = Client().post(
        "/api/v1/inquiries/",
        {
            "first_name": "Dana",
            "last_name": "Whitlock",
            "phone": "(617) 555-0142",
            "email": "dana@example.com",
            "preferred_contact_method": "email",
            "reasons": ["anxiety"],
            "sms_consent": False,
            "privacy_acknowledged": True,
            "is_adult": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content

    def delivered() -> bool:
        outbox_claim_due(limit=100)  # as beat would
        return OutboundMessage.objects.filter(status=Status.SENT).exists()

    wait_until(delivered, timeout=60, what="the acknowledgement to reach the SMTP server", interval=0.2)
    [received] = handler.messages
    assert received["To"] == "dana@example.com" and "we received your message" in received["Subject"]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert all(forbidden_words_in(body) == [] for body in parts(received).values())
    row = OutboundMessage.objects.get()
    assert (row.channel, row.attempts) == (OutboundMessage.Channel.EMAIL, 2)
    assert not OutboundMessage.objects.filter(channel=OutboundMessage.Channel.SMS).exists()
