"""The app as Twilio and the SMS sandbox see it: signed webhooks, a patient's texts, what the sandbox received."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.sandbox.models import SandboxEmail, SandboxMessage
from tests.support.phones import PHONE

SMS_PATH = "/webhooks/twilio/sms/"
STATUS_PATH = "/webhooks/twilio/status/"


def twilio_signature(url: str, params: Mapping[str, str], *, token: str | None = None) -> str:
    """The X-Twilio-Signature of a POST of `params` to `url`; a path is taken under PUBLIC_BASE_URL, as Twilio
    calls it."""
    full_url = settings.PUBLIC_BASE_URL + url if url.startswith("/") else url
    return str(RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(full_url, params))


def post_signed(client: Client, path: str, params: dict[str, str], *, signature: str | None = None) -> HttpResponse:
    """POST a form body the way Twilio does, signed against PUBLIC_BASE_URL + path."""
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature if signature is not None else twilio_signature(path, params)},
    )


def inbound_params(
    body: str, *, sid: str = "SM" + "a" * 32, from_number: str = PHONE, to_number: str = ""
) -> dict[str, str]:
    """The form Twilio posts to the SMS webhook for a text `body` from `from_number` (to the organization's
    number, or a location's `to_number`)."""
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": from_number,
        "To": to_number or settings.TWILIO_FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


_sids = itertools.count()


def patient_texts(client: Client, body: str, *, from_number: str = PHONE, to_number: str = "") -> str:
    """Send a text to the webhook as Twilio would (a new MessageSid each time); return the TwiML reply's text."""
    sid = f"SM{next(_sids):032d}"
    response = post_signed(
        client, SMS_PATH, inbound_params(body, sid=sid, from_number=from_number, to_number=to_number)
    )
    assert response.status_code == 200, response.content
    return response.content.decode()


def last_inbound() -> InboundMessage:
    """The text the webhook stored last."""
    message = InboundMessage.objects.order_by("-id").first()
    assert message is not None
    return message


def provider_accepts(*messages: OutboundMessage) -> None:
    """Stand in for the dispatcher, the worker and Twilio: the texts went out just now."""
    for message in messages:
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundMessage.Status.SENT, sent_at=timezone.now(), provider_sid=f"SM{message.pk:032d}"
        )
        message.refresh_from_db()


def sandbox_texts_to(phone: str) -> list[SandboxMessage]:
    """The texts a phone received, as the sandbox shows them, oldest first."""
    return list(SandboxMessage.objects.filter(direction="outbound-api", to_number=phone).order_by("date_created"))


def outbox_settled() -> bool:
    """No text is on its way (queued for a worker or being sent)."""
    return not OutboundMessage.objects.filter(status__in=("queued", "sending")).exists()


def sandbox_emails_to(address: str) -> list[SandboxEmail]:
    """The emails an address received in the sandbox mailbox, oldest first."""
    return list(SandboxEmail.objects.filter(to__iexact=address).order_by("received_at", "id"))
