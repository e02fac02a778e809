from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from twilio.request_validator import RequestValidator

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
