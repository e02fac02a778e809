from __future__ import annotations

import datetime
from collections.abc import Callable
from urllib.parse import urlencode

import time_machine
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from twilio.request_validator import RequestValidator

from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_claim_due
from clinic.messaging.sandbox.models import SandboxEmail, SandboxMessage
from tests.live import WorkerProcess, wait_until

SMS_PATH = "/webhooks/twilio/sms/"
STATUS_PATH = "/webhooks/twilio/status/"


def twilio_signature(path: str, params: dict[str, str]) -> str:
    return str(RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(settings.PUBLIC_BASE_URL + path, params))


def post_signed(client: Client, path: str, params: dict[str, str], *, signature: str | None = None) -> HttpResponse:
    """POST a form body the way Twilio does, signed against PUBLIC_BASE_URL + path."""
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature if signature is not None else twilio_signature(path, params)},
    )


def inbound_params(body: str, *, sid: str = "SM" + "a" * 32, from_number: str = "+16175550142") -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": from_number,
        "To": settings.TWILIO_FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def sandbox_texts_to(phone: str) -> list[SandboxMessage]:
    """The texts a phone received, as the sandbox shows them, oldest first."""
    return list(SandboxMessage.objects.filter(direction="outbound-api", to_number=phone).order_by("date_created"))


def outbox_settled() -> bool:
    """No text is on its way (queued for a worker or being sent)."""
    return not OutboundMessage.objects.filter(status__in=("queued", "sending")).exists()


def beat_play_at(worker: WorkerProcess, moment: datetime.datetime, done: Callable[[], bool], what: str) -> None:
    """Move the worker's and the test's clocks to `moment`, then dispatch due rows (as beat would) until `done()`."""
    worker.restart_at(moment)
    with time_machine.travel(moment, tick=True):

        def step() -> bool:
            outbox_claim_due(limit=100)
            return done()

        wait_until(step, timeout=60, what=what, interval=0.2)


def sandbox_emails_to(address: str) -> list[SandboxEmail]:
    """The emails an address received in the sandbox mailbox, oldest first."""
    return list(SandboxEmail.objects.filter(to__iexact=address).order_by("received_at", "id"))
