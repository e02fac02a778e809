"""Sending one outbox row through Twilio: checks at send time, errors, retries, delivery reports."""

from __future__ import annotations

import datetime
import logging
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import requests
import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from twilio.base.exceptions import TwilioRestException

from clinic.scheduling.selectors import clinic_current

from . import numbers
from .consent import consent_covers
from .models import DeliveryReport, OutboundMessage
from .texting_hours import texting_allowed_at, texting_next_allowed
from .twilio_client import twilio_client_build, twilio_client_shared

logger = logging.getLogger(__name__)
Status = OutboundMessage.Status

# Twilio error codes (see FACTS.md). Anything else in 4xx is permanent; 5xx and timeouts retry.
RETRYABLE_CODES = frozenset({20429, 21611, 30001, 30003})
PERMANENT_CODES = frozenset({21211, 21610, 21614, 30005, 30006, 30007})
OPTED_OUT_CODE = 21610
UNDELIVERABLE_CODES = frozenset({21211, 21614, 30005, 30006, 30007})

# Status callbacks only move a message forward along this order.
STATUS_RANK = {
    Status.SENDING: 0,
    Status.SENT: 1,
    Status.DELIVERED: 2,
    Status.UNDELIVERED: 2,
    Status.FAILED: 2,
}
TWILIO_STATUS_TO_OURS = {
    "queued": Status.SENT,
    "accepted": Status.SENT,
    "sending": Status.SENT,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "undelivered": Status.UNDELIVERED,
    "failed": Status.FAILED,
}


@dataclass(frozen=True)
class SendOutcome:
    """What happened to one send attempt; `retry_in` asks the task to try again after that many seconds."""

    result: str
    retry_in: float = 0.0


def _status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/status/"


def sender_identity() -> str:
    return str(settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER)


def _backoff_seconds(attempts: int) -> float:
    """Capped exponential backoff with full jitter."""
    ceiling = min(settings.SMS_RETRY_MAX_SECONDS, settings.SMS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not security)


def _why_not_now(message: OutboundMessage) -> tuple[str, str] | None:
    """Return ("suppress", reason) or ("defer", "") if the row must not be sent now; None if it may."""
    state = numbers.number_state(message.to_number)
    if state is not None and state.is_opted_out:
        return "suppress", "opted out"
    if state is not None and state.undeliverable_at is not None:
        return "suppress", "number undeliverable"
    # Consent belongs to a number: the person must have agreed to texts at exactly this row's number.
    if message.kind != OutboundMessage.Kind.STAFF_ALERT and not consent_covers(message):
        return "suppress", "no SMS consent"
    problem = cause_problem(message)
    if problem:
        return "suppress", problem
    if not message.outside_texting_hours_ok and not texting_allowed_at(timezone.now(), **_texting_window(message)):
        return "defer", ""
    return None


class _TextingWindow(dict):  # type: ignore[type-arg]
    """Keyword arguments for texting_allowed_at / texting_next_allowed."""


def _texting_window(message: OutboundMessage) -> _TextingWindow:
    """The patient's time zone (else the clinic's) and the clinic's texting hours."""
    clinic = clinic_current()
    tz_name = (message.patient.timezone if message.patient else "") or (
        clinic.timezone if clinic else settings.CLINIC_TIMEZONE
    )
    window = _TextingWindow(tz=zoneinfo.ZoneInfo(tz_name))
    if clinic is not None:
        window.update(starts=clinic.texting_starts, ends=clinic.texting_ends)
    return window


def cause_problem(message: OutboundMessage) -> str:
    """Why the text's cause no longer holds (e.g. its appointment was cancelled), or "" if it does.

    Causes that can be withdrawn register a check here, keyed by `related_type`.
    """
    check = CAUSE_CHECKS.get(message.related_type)
    return check(message.related_id) if check else ""


CAUSE_CHECKS: dict[str, Callable[[str], str]] = {}


def _finish(message_id: int, *, status: str, **fields: object) -> None:
    OutboundMessage.objects.filter(id=message_id, status=Status.SENDING).update(
        status=status, finished_at=timezone.now(), **fields
    )


def outbox_send(*, message_id: int) -> SendOutcome:
    """Send one queued row exactly once: claim it, re-check it, call Twilio, record the result."""
    if not OutboundMessage.objects.filter(id=message_id, status=Status.QUEUED).exists():
        return SendOutcome("not queued")
    wait = _rate_wait()
    if wait:
        return SendOutcome("rate limited", retry_in=wait)
    claimed = OutboundMessage.objects.filter(id=message_id, status=Status.QUEUED).update(
        status=Status.SENDING, sending_started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if claimed != 1:
        return SendOutcome("claimed elsewhere")
    message = OutboundMessage.objects.select_related("patient", "inquiry").get(id=message_id)

    blocked = _why_not_now(message)
    if blocked is not None:
        verdict, reason = blocked
        if verdict == "defer":
            later = texting_next_allowed(timezone.now(), **_texting_window(message))
            OutboundMessage.objects.filter(id=message_id, status=Status.SENDING).update(
                status=Status.SCHEDULED, send_after=later, attempts=F("attempts") - 1
            )
            return SendOutcome("deferred to texting hours")
        _finish(message_id, status=Status.SUPPRESSED, suppressed_reason=reason)
        return SendOutcome(f"suppressed: {reason}")

    try:
        sid = _provider_send(message)
    except TwilioRestException as exc:
        return _record_provider_error(message, code=exc.code, http_status=exc.status, text=str(exc.msg))
    except requests.RequestException as exc:
        if _never_reached_provider(exc):
            return _schedule_retry(message, code=None, text="could not connect to the SMS provider")
        # Twilio may or may not have the message: leave it in `sending` for reconciliation.
        OutboundMessage.objects.filter(id=message_id, status=Status.SENDING).update(
            last_error_message=f"{type(exc).__name__}: outcome unknown, will reconcile"
        )
        return SendOutcome("outcome unknown")

    outbox_record_sent(message_id=message_id, sid=sid)
    return SendOutcome("sent")


def outbox_record_sent(*, message_id: int, sid: str) -> None:
    """Record that the provider has the text of a `sending` row, and apply callbacks that came first."""
    with transaction.atomic():
        OutboundMessage.objects.filter(id=message_id, status=Status.SENDING).update(
            status=Status.SENT, provider_sid=sid, sent_at=timezone.now(), last_error_code=None
        )
        # A status callback can beat us here (it is kept as a report); almost always there is none.
        _early_reports_apply(sid)
    # Once more after commit: a callback that committed its report while our transaction was open
    # looked for the row before it could see the SID; whichever side looks last sees the other.
    _early_reports_apply(sid)


def _early_reports_apply(sid: str) -> None:
    if DeliveryReport.objects.filter(message_sid=sid).exists():
        with transaction.atomic():
            delivery_reports_apply(message_sid=sid)


def _never_reached_provider(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached Twilio (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _rate_wait() -> float:
    from .rate_limit import send_slot_acquire

    return send_slot_acquire(sender=sender_identity())


def _provider_send(message: OutboundMessage) -> str:
    client = twilio_client_shared()
    kwargs: dict[str, str] = {"to": message.to_number, "body": message.body, "status_callback": _status_callback_url()}
    if settings.TWILIO_MESSAGING_SERVICE_SID:
        kwargs["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
    else:
        kwargs["from_"] = settings.TWILIO_FROM_NUMBER
    created = client.messages.create(**kwargs)
    return str(created.sid)


def _is_permanent(code: int | None, http_status: int) -> bool:
    if code in PERMANENT_CODES:
        return True
    if code in RETRYABLE_CODES or http_status == 429 or http_status >= 500:
        return False
    return 400 <= http_status < 500


def _record_provider_error(message: OutboundMessage, *, code: int | None, http_status: int, text: str) -> SendOutcome:
    if not _is_permanent(code, http_status):
        return _schedule_retry(message, code=code, text=text)
    with transaction.atomic():
        _finish(message.id, status=Status.FAILED, last_error_code=code, last_error_message=text[:300])
        if code == OPTED_OUT_CODE:
            numbers.number_opt_out(phone=message.to_number, keyword="(carrier 21610)")
        elif code in UNDELIVERABLE_CODES:
            numbers.number_mark_undeliverable(phone=message.to_number, code=code)
    logger.warning("sms %s failed permanently with code %s", message.id, code)
    return SendOutcome(f"failed: {code}")


def _schedule_retry(message: OutboundMessage, *, code: int | None, text: str) -> SendOutcome:
    attempts = OutboundMessage.objects.get(id=message.id).attempts
    if attempts >= settings.SMS_MAX_ATTEMPTS:
        _finish(message.id, status=Status.FAILED, last_error_code=code, last_error_message=f"gave up: {text}"[:300])
        logger.warning("sms %s failed after %s attempts (code %s)", message.id, attempts, code)
        return SendOutcome("failed: attempts exhausted")
    delay = _backoff_seconds(attempts)
    OutboundMessage.objects.filter(id=message.id, status=Status.SENDING).update(
        status=Status.SCHEDULED,
        send_after=timezone.now() + timedelta(seconds=delay),
        last_error_code=code,
        last_error_message=text[:300],
    )
    logger.info("sms %s will retry in %.0f s (code %s)", message.id, delay, code)
    return SendOutcome("retry scheduled")


def delivery_report_record(*, message_sid: str, status: str, error_code: int | None) -> None:
    """Store a status callback and apply it; a late or repeated one never moves a message back."""
    # Committed before looking for the row: see outbox_record_sent for the other half.
    DeliveryReport.objects.create(message_sid=message_sid, status=status, error_code=error_code)
    with transaction.atomic():
        delivery_reports_apply(message_sid=message_sid)


def delivery_reports_apply(*, message_sid: str) -> None:
    """Apply every stored report for this SID to its outbox row (a report can arrive before the SID is saved)."""
    message = OutboundMessage.objects.select_for_update().filter(provider_sid=message_sid).first()
    if message is None:
        return
    for report in DeliveryReport.objects.filter(message_sid=message_sid).order_by("received_at", "id"):
        new_status = TWILIO_STATUS_TO_OURS.get(report.status)
        if new_status is None or message.status not in STATUS_RANK:
            continue
        if STATUS_RANK[new_status] <= STATUS_RANK[Status(message.status)]:
            continue
        message.status = new_status
        now = timezone.now()
        if new_status == Status.DELIVERED:
            message.delivered_at = now
            message.finished_at = now
        elif new_status in (Status.UNDELIVERED, Status.FAILED):
            message.last_error_code = report.error_code
            message.finished_at = now
            if report.error_code == OPTED_OUT_CODE:
                numbers.number_opt_out(phone=message.to_number, keyword="(carrier 21610)")
            elif report.error_code in UNDELIVERABLE_CODES:
                numbers.number_mark_undeliverable(phone=message.to_number, code=report.error_code)
        message.save(update_fields=["status", "delivered_at", "finished_at", "last_error_code", "updated_at"])


def outbox_reconcile_stale(*, older_than: timedelta | None = None) -> dict[str, int]:
    """Settle rows left in `sending` (a worker died or timed out) by asking Twilio what it has.

    Found at Twilio: recorded as sent. Not found: scheduled again. Twilio unreachable: left for next time.
    """
    cutoff = timezone.now() - (older_than or timedelta(seconds=settings.SMS_SENDING_STALE_SECONDS))
    counts = {"found": 0, "resent": 0, "unknown": 0}
    stale = list(
        OutboundMessage.objects.filter(status=Status.SENDING, sending_started_at__lt=cutoff).values_list(
            "id", "sending_started_at"
        )[:200]
    )
    for message_id, started in stale:
        assert started is not None  # selected by sending_started_at < cutoff
        # Claim the reconciliation, so two dispatchers never settle one row twice.
        if (
            OutboundMessage.objects.filter(id=message_id, status=Status.SENDING, sending_started_at=started).update(
                sending_started_at=timezone.now()
            )
            != 1
        ):
            continue
        message = OutboundMessage.objects.get(id=message_id)
        try:
            sid = _provider_find(message, since=started - timedelta(minutes=1))
        except (TwilioRestException, requests.RequestException):
            counts["unknown"] += 1
            continue
        if sid:
            outbox_record_sent(message_id=message_id, sid=sid)
            counts["found"] += 1
        else:
            OutboundMessage.objects.filter(id=message_id, status=Status.SENDING).update(
                status=Status.SCHEDULED, send_after=timezone.now(), attempts=F("attempts") - 1
            )
            counts["resent"] += 1
    return counts


def _provider_find(message: OutboundMessage, *, since: datetime.datetime) -> str | None:
    """The SID of a message Twilio already has for this row (same number and body, created since), if any."""
    client = twilio_client_build()
    taken = set(
        OutboundMessage.objects.filter(to_number=message.to_number, provider_sid__isnull=False).values_list(
            "provider_sid", flat=True
        )
    )
    for candidate in client.messages.list(to=message.to_number, limit=100):
        if candidate.sid in taken or candidate.body != message.body:
            continue
        if candidate.date_created is not None and candidate.date_created < since:
            continue
        return str(candidate.sid)
    return None
