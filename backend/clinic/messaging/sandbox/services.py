"""What the sandbox does: accept texts like Twilio (applying failure rules) and play the patient's replies."""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clinic.messaging.segments import sms_segments

from .callbacks import (
    API_VERSION,
    DeliveryPlan,
    DeliveryStep,
    callback_delay_seconds,
    sandbox_delivery_schedule,
    twilio_request_post,
)
from .callbacks import sandbox_callbacks_drain as sandbox_callbacks_drain
from .errors import TwilioApiError
from .models import SandboxFailureRule, SandboxMessage
from .smart_encoding import body_smart_encoded

logger = logging.getLogger(__name__)

E164_RE = re.compile(r"^\+[1-9]\d{1,14}$")
# An alphanumeric sender ID: up to 11 letters, digits and spaces, at least one letter.
ALPHANUMERIC_SENDER_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
BODY_MAX_CHARS = 1600
WEBHOOK_PATH = "/webhooks/twilio/sms/"
WEBHOOK_TIMEOUT_SECONDS = 10.0

Status = SandboxMessage.Status


def phone_is_e164(number: str) -> bool:
    return bool(E164_RE.match(number))


def _create_validate(*, to: str, from_: str, messaging_service_sid: str, body: str, status_callback: str) -> None:
    """Refuse a create the way Twilio does, in Twilio's order."""
    if not to:
        raise TwilioApiError(status=400, code=21604)
    if not phone_is_e164(to):
        raise TwilioApiError(status=400, code=21211, message=f"The 'To' number {to} is not a valid phone number.")
    if not from_ and not messaging_service_sid:
        raise TwilioApiError(status=400, code=21603)
    if from_ and not (phone_is_e164(from_) or ALPHANUMERIC_SENDER_RE.match(from_)):
        raise TwilioApiError(status=400, code=21212)
    if not body:
        raise TwilioApiError(status=400, code=21602)
    if len(body) > BODY_MAX_CHARS:
        raise TwilioApiError(status=400, code=21617)
    if status_callback:
        parts = urlsplit(status_callback)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise TwilioApiError(status=400, code=21609)


def _failure_rule_pick(*, to: str) -> SandboxFailureRule | None:
    """Return the first rule that fails this request, using up one of its `remaining` if it counts."""
    rules = SandboxFailureRule.objects.filter(Q(to_number="") | Q(to_number=to)).exclude(remaining=0)
    for rule in rules:
        # Chance of a simulated failure, not a secret.
        if rule.fraction < 1.0 and random.random() >= rule.fraction:  # noqa: S311
            continue
        if rule.remaining is not None:
            used = SandboxFailureRule.objects.filter(pk=rule.pk, remaining__gt=0).update(remaining=F("remaining") - 1)
            if used != 1:
                continue  # another request took the last one
        return rule
    return None


def _delivery_steps(rule: SandboxFailureRule | None) -> tuple[DeliveryStep, ...]:
    if rule is None:
        return (DeliveryStep(Status.SENT), DeliveryStep(Status.DELIVERED))
    if rule.delivery_status == SandboxFailureRule.DeliveryStatus.FAILED:
        # Twilio never got it to a carrier: no "sent" first.
        return (DeliveryStep(Status.FAILED, rule.error_code),)
    return (DeliveryStep(Status.SENT), DeliveryStep(Status.UNDELIVERED, rule.error_code))


def sandbox_message_create(
    *,
    account_sid: str,
    to: str,
    from_: str = "",
    messaging_service_sid: str = "",
    body: str,
    status_callback: str = "",
    smart_encoded: bool = False,
) -> SandboxMessage:
    """Accept a text as Twilio's Messages API does, or raise TwilioApiError as Twilio would refuse it.

    An "after_create" rule keeps the text (it is delivered) and still raises, as Twilio can after a
    timeout or a 5xx. With Smart Encoding (asked for, or SMS_SANDBOX_SMART_ENCODING) the body is
    rewritten as Twilio rewrites it.
    """
    _create_validate(
        to=to, from_=from_, messaging_service_sid=messaging_service_sid, body=body, status_callback=status_callback
    )
    rule = _failure_rule_pick(to=to)
    if rule is not None and rule.kind == SandboxFailureRule.Kind.API:
        raise TwilioApiError(status=rule.http_status, code=rule.error_code)
    if smart_encoded or settings.SMS_SANDBOX_SMART_ENCODING:
        body = body_smart_encoded(body)

    now = timezone.now()
    message = SandboxMessage.objects.create(
        account_sid=account_sid,
        from_number=from_,
        to_number=to,
        messaging_service_sid=messaging_service_sid,
        body=body,
        status=Status.ACCEPTED if messaging_service_sid else Status.QUEUED,
        direction=SandboxMessage.Direction.OUTBOUND_API,
        num_segments=sms_segments(body),
        status_callback=status_callback,
        date_created=now,
        date_updated=now,
    )
    after_create = rule is not None and rule.kind == SandboxFailureRule.Kind.AFTER_CREATE
    steps = _delivery_steps(None if after_create else rule)
    plan = DeliveryPlan(sid=message.sid, steps=steps, delay_seconds=callback_delay_seconds())
    transaction.on_commit(lambda: sandbox_delivery_schedule(plan=plan))
    if rule is not None and after_create:
        raise TwilioApiError(status=rule.http_status, code=rule.error_code)
    return message


@dataclass(frozen=True)
class TwimlMessage:
    body: str
    to: str | None = None
    from_: str | None = None


def twiml_messages(text: str) -> list[TwimlMessage]:
    """Return the <Message> verbs of a TwiML answer (none if it is not TwiML)."""
    try:
        # The document is our own app's webhook answer; Python's expat resolves no external entities.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError:
        return []
    if root.tag != "Response":
        return []
    found = []
    for element in root.iter("Message"):
        body_element = element.find("Body")
        body = (body_element.text if body_element is not None else element.text) or ""
        if body.strip():
            found.append(TwimlMessage(body=body.strip(), to=element.get("to"), from_=element.get("from")))
    return found


def inbound_webhook_url() -> str:
    return str(settings.PUBLIC_BASE_URL).rstrip("/") + WEBHOOK_PATH


def inbound_webhook_params(message: SandboxMessage) -> dict[str, str]:
    params = {
        "MessageSid": message.sid,
        "SmsMessageSid": message.sid,
        "SmsSid": message.sid,
        "AccountSid": message.account_sid,
        "From": message.from_number,
        "To": message.to_number,
        "Body": message.body,
        "NumMedia": "0",
        "NumSegments": str(message.num_segments),
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
        "FromCountry": "US",
        "ToCountry": "US",
    }
    if message.messaging_service_sid:
        params["MessagingServiceSid"] = message.messaging_service_sid
    return params


@dataclass(frozen=True)
class PatientReply:
    inbound: SandboxMessage
    replies: list[SandboxMessage]


def sandbox_reply_as_patient(*, patient_number: str, body: str, to_number: str = "") -> PatientReply:
    """Text the clinic as this patient: store the text, call the app's signed SMS webhook, keep its TwiML replies.

    The text goes to `to_number`, else (as a phone's reply would) to the number that last texted this
    patient, else to the organization's number.
    """
    if not phone_is_e164(patient_number):
        raise ValueError("The patient's number must be in E.164 form, e.g. +15551234567.")
    if not body or len(body) > BODY_MAX_CHARS:
        raise ValueError(f"A text must have 1 to {BODY_MAX_CHARS} characters.")
    now = timezone.now()
    last = (
        SandboxMessage.objects.filter(to_number=patient_number)
        .exclude(direction=SandboxMessage.Direction.INBOUND)
        .order_by("-date_created", "-id")
        .first()
    )
    if to_number:
        sender, service = to_number, ""
    elif last is not None and last.from_number:
        sender, service = last.from_number, last.messaging_service_sid
    else:
        sender, service = settings.TWILIO_FROM_NUMBER, settings.TWILIO_MESSAGING_SERVICE_SID
    inbound = SandboxMessage.objects.create(
        account_sid=settings.TWILIO_ACCOUNT_SID,
        from_number=patient_number,
        to_number=sender,
        messaging_service_sid=service,
        body=body,
        status=Status.RECEIVED,
        direction=SandboxMessage.Direction.INBOUND,
        num_segments=sms_segments(body),
        date_created=now,
        date_updated=now,
        date_sent=now,
    )
    try:
        response = twilio_request_post(
            inbound_webhook_url(), inbound_webhook_params(inbound), timeout=WEBHOOK_TIMEOUT_SECONDS
        )
    except requests.RequestException as exc:
        logger.warning("SMS sandbox: inbound webhook for %s not reached: %s", inbound.sid, type(exc).__name__)
        return PatientReply(inbound=inbound, replies=[])

    inbound.webhook_status = response.status_code
    inbound.save(update_fields=["webhook_status"])
    if not 200 <= response.status_code < 300:
        return PatientReply(inbound=inbound, replies=[])

    replies = []
    for twiml in twiml_messages(response.text):
        sent_at = timezone.now()
        replies.append(
            SandboxMessage.objects.create(
                account_sid=inbound.account_sid,
                from_number=twiml.from_ or inbound.to_number,
                to_number=twiml.to or patient_number,
                messaging_service_sid=inbound.messaging_service_sid,
                body=twiml.body,
                status=Status.DELIVERED,
                direction=SandboxMessage.Direction.OUTBOUND_REPLY,
                num_segments=sms_segments(twiml.body),
                date_created=sent_at,
                date_updated=sent_at,
                date_sent=sent_at,
            )
        )
    return PatientReply(inbound=inbound, replies=replies)


def sandbox_failure_rule_delete(*, rule_id: int) -> bool:
    deleted, _ = SandboxFailureRule.objects.filter(pk=rule_id).delete()
    return deleted > 0


def sandbox_failure_rule_create(
    *,
    kind: str,
    error_code: int,
    to_number: str = "",
    fraction: float = 1.0,
    http_status: int = 429,
    delivery_status: str = SandboxFailureRule.DeliveryStatus.UNDELIVERED,
    remaining: int | None = None,
) -> SandboxFailureRule:
    rule = SandboxFailureRule(
        kind=kind,
        error_code=error_code,
        to_number=to_number,
        fraction=fraction,
        http_status=http_status,
        delivery_status=delivery_status,
        remaining=remaining,
    )
    rule.full_clean()
    rule.save()
    return rule
