"""Sending one outbox row through Twilio (or another channel's transport): checks at send time, errors,
retries, delivery reports."""

from __future__ import annotations

import datetime
import difflib
import logging
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import timedelta

import requests
import urllib3
from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from clinic.core.clinics import clinic_current
from clinic.core.models import Clinic
from clinic.core.sweeps import exception_summary

from . import numbers
from .consent import consent_covers
from .email.addresses import email_send_problem
from .models import DeliveryAttempt, DeliveryReport, OutboundMessage, PhoneNumberState
from .outbox import outbox_claim_due
from .rate_limit import send_slot_acquire, send_slots_acquire
from .senders import SENDER_FIELDS, sender_default, sender_for
from .texting_hours import TextingWindow, texting_window
from .twilio_client import twilio_client_build, twilio_client_shared

logger = logging.getLogger(__name__)
Status = OutboundMessage.Status
Outcome = DeliveryAttempt.Outcome

# Twilio error codes (https://www.twilio.com/docs/api/errors): 20429 too many requests, 21611 the sender's
# queue is full, 30001 queue overflow, 30003 handset unreachable (retry); 21211 invalid number, 21610 the
# number replied STOP, 21614 not a mobile number, 30005-30007 unknown, unreachable or filtered (permanent).
# Anything else in 4xx is permanent; 5xx and timeouts retry.
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


# What a well-formed message SID looks like; anything else in an answer is not a SID.
MESSAGE_SID = re.compile(r"SM[0-9a-f]{32}")
# Marks a row whose last attempt may or may not have reached the provider (see _outcome_unknown).
OUTCOME_UNKNOWN = "outcome unknown"
# Twilio's clock and ours differ a little; a message's date_created is looked for this much wider.
CLOCK_MARGIN = timedelta(minutes=1)
# A candidate found by number and time must share at least this much of the text (Twilio may rewrite
# a few characters or shorten a link, never the whole text).
BODY_SIMILARITY_MIN = 0.5


@dataclass(frozen=True)
class ChannelTransport:
    """How rows of a channel other than SMS are sent and, when a send's outcome is unknown, settled."""

    send: Callable[[OutboundMessage], SendOutcome]
    # Returns which outbox_reconcile_stale count the row adds to ("resent", "failed", ...).
    reconcile: Callable[[OutboundMessage], str]


# The one place a row's channel picks how it goes out (healthchecks' TRANSPORTS). Texts take this module's
# own path (provider calls batched on threads, reconciled with Twilio); other channels register here, from
# messaging.apps (email: messaging/email/sending.py).
CHANNEL_TRANSPORTS: dict[str, ChannelTransport] = {}


def channel_transport(message: OutboundMessage) -> ChannelTransport | None:
    """The transport of a row's channel, or None for a text."""
    if message.channel == OutboundMessage.Channel.SMS:
        return None
    transport = CHANNEL_TRANSPORTS.get(message.channel)
    if transport is None:
        raise LookupError(f"no transport registered for channel {message.channel!r}")
    return transport


class ProviderAnswerInvalid(Exception):
    """The provider answered something we cannot read as it documents it (no SID, not JSON, wrong shape)."""


def _status_callback_url(message_id: int) -> str:
    # The row's id (not PHI) comes back with every callback, so a callback names the row its SID
    # belongs to even when the worker that sent it died before recording the SID.
    return f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/status/?ob={message_id}"


def _backoff_seconds(attempts: int) -> float:
    """Capped exponential backoff with full jitter."""
    ceiling = min(settings.SMS_RETRY_MAX_SECONDS, settings.SMS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not security)


@dataclass(frozen=True)
class SendContext:
    """What the send-time checks of a batch share, read once for the batch: number states and the
    organization's first location (for rows without one of their own)."""

    states: dict[str, PhoneNumberState]
    clinic: Clinic | None

    @classmethod
    def read(cls, messages: Sequence[OutboundMessage]) -> SendContext:
        phones = {message.to_number for message in messages}
        return cls(
            states={state.phone: state for state in PhoneNumberState.objects.filter(phone__in=phones)},
            clinic=clinic_current(),
        )


def _why_not_now(message: OutboundMessage, context: SendContext | None = None) -> tuple[str, str] | None:
    """Return ("suppress", reason) or ("defer", "") if the row must not be sent now; None if it may."""
    refusal = _address_refusal(message, context)
    if refusal is not None and not refusal.later:
        return "suppress", refusal.reason
    problem = cause_problem(message)
    if problem:
        return "suppress", problem
    if refusal is not None:
        return "defer", ""
    return None


def _address_refusal(message: OutboundMessage, context: SendContext | None) -> numbers.TextingRefusal | None:
    """May this row's address get it now: the channel's own rule (consent, opt-out or unsubscribe,
    undeliverable), then the person's texting hours, which emails keep too."""
    window = None if message.outside_texting_hours_ok else _texting_window(message, context)
    if message.channel == OutboundMessage.Channel.EMAIL:
        problem = email_send_problem(message)
        if problem:
            return numbers.TextingRefusal(problem)
        if window is not None and not window.allows(timezone.now()):
            return numbers.TextingRefusal("outside texting hours", later=True)
        return None
    return numbers.texting_refusal(
        phone=message.to_number,
        # Staff alerts go to clinicians, whose consent the on-call rota checks when it names them.
        consented=message.kind == OutboundMessage.Kind.STAFF_ALERT or consent_covers(message),
        state=numbers.number_state(message.to_number) if context is None else context.states.get(message.to_number),
        window=window,
    )


def _texting_window(message: OutboundMessage, context: SendContext | None = None) -> TextingWindow:
    """The hours of the row's location (else the first location's), in the patient's zone."""
    clinic = message.clinic or (clinic_current() if context is None else context.clinic)
    return texting_window(timezone_name=message.patient.timezone if message.patient else "", clinic=clinic)


def cause_problem(message: OutboundMessage) -> str:
    """Why the text's cause no longer holds (e.g. its appointment was cancelled), or "" if it does.

    Causes that can be withdrawn register a check here, keyed by `related_type`.
    """
    check = CAUSE_CHECKS.get(message.related_type)
    return check(message.related_id) if check else ""


CAUSE_CHECKS: dict[str, Callable[[str], str]] = {}


def _finish(message_id: int, *, status: str, **fields: object) -> int:
    return OutboundMessage.objects.filter(id=message_id, status=Status.SENDING).update(
        status=status, finished_at=timezone.now(), **fields
    )


def outbox_send(*, message_id: int) -> SendOutcome:
    """Send one queued row exactly once: claim it, re-check it, call Twilio, record the result."""
    if not OutboundMessage.objects.filter(id=message_id, status=Status.QUEUED).exists():
        return SendOutcome("not queued")
    wait = _rate_wait(message_id)
    if wait:
        return SendOutcome("rate limited", retry_in=wait)
    claimed = OutboundMessage.objects.filter(id=message_id, status=Status.QUEUED).update(
        status=Status.SENDING, sending_started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if claimed != 1:
        return SendOutcome("claimed elsewhere")
    message = OutboundMessage.objects.select_related("patient", "inquiry", "clinic").get(id=message_id)
    try:
        blocked = _send_time_check(message)
    except Exception as exc:
        return _retry_after_internal_error(message, exc)
    if blocked is not None:
        return blocked
    try:
        transport = channel_transport(message)
        return transport.send(message) if transport else outbox_send_claimed(message)
    except Exception as exc:
        return _reconcile_after_internal_error(message, exc)


def _send_time_check(message: OutboundMessage, context: SendContext | None = None) -> SendOutcome | None:
    """Check a claimed row again at send time; suppress or defer it (and say so) if it must not go now."""
    message_id = message.id
    blocked = _why_not_now(message, context)
    if blocked is not None:
        verdict, reason = blocked
        if verdict == "defer":
            later = _texting_window(message, context).next_allowed(timezone.now())
            OutboundMessage.objects.filter(id=message_id, status=Status.SENDING).update(
                status=Status.SCHEDULED, send_after=later, attempts=F("attempts") - 1
            )
            return SendOutcome("deferred to texting hours")
        _finish(message_id, status=Status.SUPPRESSED, suppressed_reason=reason)
        return SendOutcome(f"suppressed: {reason}")
    return None


def outbox_send_claimed(
    message: OutboundMessage,
    *,
    provider_call: Callable[[OutboundMessage], str] | None = None,
    on_sent: Callable[[DeliveryAttempt, str], None] | None = None,
    clock: AttemptClock | None = None,
) -> SendOutcome:
    """Call the provider for a claimed, checked row and record the result (and the attempt, first).

    A batch passes `provider_call` (the result of a call made on a thread, re-raising its error here),
    `on_sent` (to record its successes, attempts included, together) and the `clock` the thread timed the
    call with;
    alone, the row is sent, timed and recorded here.
    """
    message_id = message.id
    clock = (clock or AttemptClock()).start()
    try:
        sid = (provider_call or _provider_send)(message)
        clock.stop()  # the provider's time only: not the check below
        _sid_unclaimed_check(message, sid)
    except (TwilioRestException, TwilioServiceException) as exc:
        code = _error_code(exc.code)
        if _may_have_created(exc.status):
            _attempt_record(message, clock, Outcome.UNKNOWN, code=code, detail=f"HTTP {exc.status}")
            return _outcome_unknown(message, code=code, text=f"HTTP {exc.status}")
        refused = Outcome.PERMANENT_FAILURE if _is_permanent(code, exc.status) else Outcome.TEMPORARY_FAILURE
        _attempt_record(message, clock, refused, code=code, detail=f"HTTP {exc.status}")
        return _record_provider_error(message, code=code, http_status=exc.status, text=_error_text(exc))
    except requests.RequestException as exc:
        if _never_reached_provider(exc):
            _attempt_record(message, clock, Outcome.TEMPORARY_FAILURE, detail="could not connect")
            return _schedule_retry(message, code=None, text="could not connect to the SMS provider")
        _attempt_record(message, clock, Outcome.UNKNOWN, detail=f"no answer ({type(exc).__name__})")
        return _outcome_unknown(message, code=None, text=type(exc).__name__)
    except Exception as exc:  # an answer we cannot read (ProviderAnswerInvalid, or the SDK choking on it)
        _attempt_record(message, clock, Outcome.UNKNOWN, detail=f"unreadable answer ({type(exc).__name__})")
        if not isinstance(exc, ProviderAnswerInvalid):  # or a fault of ours around the call: say where
            _internal_error_log(message_id, exc, then="the provider may have the text")
        return _outcome_unknown(message, code=None, text=f"unreadable answer ({type(exc).__name__})")

    (on_sent or _record_sent_one)(_attempt(message, clock, Outcome.ACCEPTED, provider_message_id=sid), sid)
    return SendOutcome("sent")


def _record_sent_one(attempt: DeliveryAttempt, sid: str) -> None:
    _attempts_keep([attempt])
    outbox_record_sent(message_id=attempt.message_id, sid=sid)


# --- Batches: claimed together, provider calls overlapped on threads, recorded together -------------

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def _provider_pool() -> ThreadPoolExecutor:
    """This process's threads for provider calls (made after a fork, never inherited from the parent)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=max(1, settings.SMS_SEND_CONCURRENCY), thread_name_prefix="sms-send")
            _pool_pid = os.getpid()
        return _pool


def _provider_send_on_thread(message: OutboundMessage, clock: AttemptClock) -> str:
    clock.start()  # here, not when submitted: a call waiting for a free thread is not the provider's latency
    try:
        return _provider_send(message)
    finally:
        clock.stop()
        # Provider calls need no database; should one ever open a connection, it must not outlive the call.
        connections.close_all()


@dataclass(frozen=True)
class BatchOutcome:
    """How many rows of a batch ended each way, and the rows still waiting for a send slot (for `retry_in` s)."""

    counts: dict[str, int]
    waiting: list[int]
    retry_in: float = 0.0


def outbox_send_batch(*, message_ids: Sequence[int], urgent: bool = False) -> BatchOutcome:
    """Send queued rows, in the order given (most urgent first), with their provider calls in flight together.

    Each row is claimed with a conditional UPDATE (queued -> sending) that only one caller can win,
    checked again (consent, opt-out, cause, hours), sent from a thread, and recorded here. A row
    whose send fails in an unexpected way is left to retry or to reconciliation, the attempt
    counted toward SMS_MAX_ATTEMPTS; the others go on.
    When the rate limit has no slot left, the rest are handed back (`waiting`) instead of holding a
    worker process while they wait: a page must find a free process at once.
    """
    counts: Counter[str] = Counter()
    still_queued = set(
        OutboundMessage.objects.filter(id__in=message_ids, status=Status.QUEUED).values_list("id", flat=True)
    )
    pending = [message_id for message_id in message_ids if message_id in still_queued]
    counts["not queued"] = len(message_ids) - len(pending)
    waiting: list[int] = []
    retry_in = 0.0
    # Each sender (a location's number, or the organization's) has its own rate; rows keep their order.
    for sender, rows in _by_sender(pending).items():
        while rows:
            grant = send_slots_acquire(sender=sender, wanted=len(rows), urgent=urgent)
            if not grant.granted:
                waiting += rows
                retry_in = grant.wait if not retry_in else min(retry_in, grant.wait)
                break
            chunk, rows = rows[: grant.granted], rows[grant.granted :]
            for outcome in _send_claimed_batch(_claim_queued(chunk)):
                counts[outcome.result.split(":")[0]] += 1
    return BatchOutcome(_nonzero(counts), waiting=waiting, retry_in=retry_in)


def _by_sender(message_ids: Sequence[int]) -> dict[str, list[int]]:
    """The rows grouped by the sender whose rate they count against, each group in the order given."""
    rows = OutboundMessage.objects.filter(id__in=message_ids).select_related("clinic")
    sender_of = {row.id: sender_for(row.clinic).identity for row in rows.only("id", *SENDER_FIELDS)}
    groups: dict[str, list[int]] = {}
    for message_id in message_ids:
        groups.setdefault(sender_of.get(message_id, sender_default().identity), []).append(message_id)
    return groups


def outbox_send_due_urgent() -> BatchOutcome:
    """Claim the due urgent rows (pages) and send them here and now, without another trip through the broker."""
    message_ids = outbox_claim_due(max_priority=OutboundMessage.Priority.URGENT, enqueue=False)
    return outbox_send_batch(message_ids=message_ids, urgent=True)


def _nonzero(counts: Counter[str]) -> dict[str, int]:
    return {result: count for result, count in counts.items() if count}


def _claim_queued(message_ids: Sequence[int]) -> list[OutboundMessage]:
    """Claim the rows still queued (queued -> sending, one conditional UPDATE) and load the ones this call won."""
    if not message_ids:
        return []
    table = connection.ops.quote_name(OutboundMessage._meta.db_table)
    marks = ", ".join(["%s"] * len(message_ids))
    now = timezone.now()
    with connection.cursor() as cursor:
        # UPDATE ... RETURNING: each row leaves `queued` once, so only one claimer ever gets it back.
        # Rows are locked in id order, skipping those another claimer holds: two batches that share
        # rows (a requeued task and its late original) never deadlock.
        # (SQLite, the embedded default, has no row locks: one writer at a time anyway.)
        lock = " ORDER BY id FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
        cursor.execute(
            f"UPDATE {table} SET status = %s, sending_started_at = %s, attempts = attempts + 1, updated_at = %s "  # noqa: S608
            f"WHERE status = %s AND id IN (SELECT id FROM {table} WHERE status = %s AND id IN ({marks}){lock}) "
            "RETURNING id",
            [Status.SENDING, now, now, Status.QUEUED, Status.QUEUED, *message_ids],
        )
        won = {row[0] for row in cursor.fetchall()}
    order = {message_id: index for index, message_id in enumerate(message_ids)}
    claimed = OutboundMessage.objects.select_related("patient", "inquiry", "clinic").filter(id__in=won)
    return sorted(claimed, key=lambda message: order[message.id])


def _send_claimed_batch(messages: Sequence[OutboundMessage]) -> list[SendOutcome]:
    if not messages:
        return []
    outcomes: list[SendOutcome] = []
    try:
        context = SendContext.read(messages)
    except Exception as exc:
        return [_retry_after_internal_error(message, exc) for message in messages]
    calls: dict[Future[str], tuple[OutboundMessage, AttemptClock]] = {}
    for message in messages:
        try:
            blocked = _send_time_check(message, context)
        except Exception as exc:
            outcomes.append(_retry_after_internal_error(message, exc))
            continue
        if blocked is not None:
            outcomes.append(blocked)
            continue
        try:
            transport = channel_transport(message)
            if transport is not None:
                outcomes.append(transport.send(message))
                continue
        except Exception as exc:
            outcomes.append(_reconcile_after_internal_error(message, exc))
            continue
        clock = AttemptClock()
        calls[_provider_pool().submit(_provider_send_on_thread, message, clock)] = (message, clock)
    sent: list[tuple[int, str]] = []

    accepted: list[DeliveryAttempt] = []

    def on_sent(attempt: DeliveryAttempt, sid: str) -> None:
        accepted.append(attempt)
        sent.append((attempt.message_id, sid))

    for call in as_completed(calls):
        message, clock = calls[call]
        try:
            outcomes.append(outbox_send_claimed(message, provider_call=_result_of(call), on_sent=on_sent, clock=clock))
        except Exception as exc:
            outcomes.append(_reconcile_after_internal_error(message, exc))
    # The successes' history and their rows, one statement each for the whole batch.
    _attempts_keep(accepted)
    outbox_record_sent_many(sent=sent)
    return outcomes


def _result_of(call: Future[str]) -> Callable[[OutboundMessage], str]:
    """A provider call made on a thread, as outbox_send_claimed calls one: its SID, or its error raised here."""

    def result(message: OutboundMessage) -> str:
        return call.result()

    return result


# --- History: one DeliveryAttempt row per call to the provider (a send, or a lookup) ------------------


class AttemptClock:
    """When a call to the provider started and how long it took, timed where the call runs (maybe a thread)."""

    def __init__(self) -> None:
        self.started_at: datetime.datetime | None = None
        self.latency_ms: int | None = None
        self._began = 0.0

    def start(self) -> AttemptClock:
        if self.started_at is None:  # a thread may have started it already
            self.started_at, self._began = timezone.now(), time.perf_counter()
        return self

    def stop(self) -> None:
        if self.started_at is not None and self.latency_ms is None:
            self.latency_ms = round((time.perf_counter() - self._began) * 1000)


def _attempt_record(
    message: OutboundMessage,
    clock: AttemptClock,
    outcome: str,
    *,
    code: int | None = None,
    detail: str = "",
    provider_message_id: str = "",
) -> None:
    """Keep one call to the provider as a row, written before the text's own row moves on.

    `detail` is our own words, never the provider's (its error text can quote the number). Keeping
    the row never changes what happens to the text: a failure here is logged and the send goes on,
    and a crash before it leaves the text `sending`, reconciled as always (no row, no second text).
    """
    _attempts_keep(
        [_attempt(message, clock, outcome, code=code, detail=detail, provider_message_id=provider_message_id)]
    )


def _attempt(
    message: OutboundMessage,
    clock: AttemptClock,
    outcome: str,
    *,
    code: int | None = None,
    detail: str = "",
    provider_message_id: str = "",
) -> DeliveryAttempt:
    clock.stop()
    return DeliveryAttempt(
        message_id=message.id,
        started_at=clock.started_at or timezone.now(),
        latency_ms=clock.latency_ms,
        outcome=outcome,
        code="" if code is None else str(code),
        detail=detail[:200],
        provider_message_id=provider_message_id,
    )


def _attempts_keep(attempts: Sequence[DeliveryAttempt]) -> None:
    if not attempts:
        return
    try:
        DeliveryAttempt.objects.bulk_create(attempts)
    except Exception as exc:  # in the worker each statement commits on its own: the next one still works
        outcomes = sorted({attempt.outcome for attempt in attempts})
        logger.error("%d attempts (%s) not kept: %s", len(attempts), ", ".join(outcomes), exception_summary(exc))


# An exception of our own while sending a claimed row (not an answer of the provider's) counts as an
# attempt, so a row that always crashes fails after SMS_MAX_ATTEMPTS instead of going round forever.


def _internal_error(exc: BaseException) -> str:
    # The type only: an exception's text can quote the row's number or words.
    return f"internal error ({type(exc).__name__})"


def _internal_error_log(message_id: int, exc: BaseException, *, then: str) -> None:
    logger.warning("sms %s: %s while sending; %s: %s", message_id, _internal_error(exc), then, exception_summary(exc))


def _retry_after_internal_error(message: OutboundMessage, exc: Exception) -> SendOutcome:
    """The provider was not called: give the row back with backoff (bounded by SMS_MAX_ATTEMPTS)."""
    _internal_error_log(message.id, exc, then="the provider was not called")
    try:
        return _schedule_retry(message, code=None, text=f"{_internal_error(exc)} before sending")
    except Exception as again:
        _internal_error_log(message.id, again, then="could not schedule a retry; it will be reconciled")
        return SendOutcome(OUTCOME_UNKNOWN)


def _reconcile_after_internal_error(message: OutboundMessage, exc: Exception) -> SendOutcome:
    """The provider may have the text: ask it before sending again (the attempt counts toward SMS_MAX_ATTEMPTS)."""
    _internal_error_log(message.id, exc, then="the provider may have the text")
    try:
        return _outcome_unknown(message, code=None, text=_internal_error(exc))
    except Exception as again:
        # Left in `sending` as a dead worker's row: still reconciled before it is sent again.
        _internal_error_log(message.id, again, then="could not mark it; it will be reconciled")
        return SendOutcome(OUTCOME_UNKNOWN)


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


def outbox_record_sent_many(*, sent: Sequence[tuple[int, str]]) -> None:
    """outbox_record_sent for a batch: one UPDATE for every (row id, SID), and one look for early reports."""
    if not sent:
        return
    sids = [sid for _, sid in sent]
    try:
        with transaction.atomic():
            OutboundMessage.objects.filter(id__in=[message_id for message_id, _ in sent], status=Status.SENDING).update(
                status=Status.SENT,
                provider_sid=Case(
                    *(When(id=message_id, then=Value(sid)) for message_id, sid in sent), output_field=CharField()
                ),
                sent_at=timezone.now(),
                last_error_code=None,
            )
            _early_reports_apply_many(sids)
    except Exception as exc:
        # One bad row (e.g. a SID already recorded) must not cost the others: record them one by one.
        # Type and frames only: a database error's text can quote a row's values.
        logger.error(
            "sms: recording a batch of %s sends failed; recording them one at a time: %s",
            len(sent),
            exception_summary(exc),
        )
        for message_id, sid in sent:
            try:
                outbox_record_sent(message_id=message_id, sid=sid)
            except Exception as row_exc:
                logger.error(
                    "sms %s: sent but not recorded; it will be reconciled: %s", message_id, exception_summary(row_exc)
                )
        return
    _early_reports_apply_many(sids)  # after commit, as in outbox_record_sent


def _early_reports_apply_many(sids: Sequence[str]) -> None:
    for sid in set(DeliveryReport.objects.filter(message_sid__in=sids).values_list("message_sid", flat=True)):
        with transaction.atomic():
            delivery_reports_apply(message_sid=sid)


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


def _rate_wait(message_id: int) -> float:
    (sender,) = _by_sender([message_id])
    return send_slot_acquire(sender=sender)


def _provider_send(message: OutboundMessage) -> str:
    """Ask the provider to send the row's text; return its SID, or raise ProviderAnswerInvalid."""
    client = twilio_client_shared()
    kwargs: dict[str, str] = {
        "to": message.to_number,
        "body": message.body,
        "status_callback": _status_callback_url(message.id),
    }
    kwargs.update(sender_for(message.clinic).create_arguments())
    created = client.messages.create(**kwargs)
    sid = getattr(created, "sid", None)
    if not _sid_well_formed(sid):
        raise ProviderAnswerInvalid("the create answer has no well-formed sid")
    assert isinstance(sid, str)  # checked just above
    return sid


def _sid_unclaimed_check(message: OutboundMessage, sid: str) -> None:
    """Refuse a SID another row already has (a replayed or confused answer): recording it would fail, and
    it says nothing about this row's text. Asked after the call, where the database is (not on its thread)."""
    if OutboundMessage.objects.filter(provider_sid=sid).exclude(id=message.id).exists():
        raise ProviderAnswerInvalid("the create answer repeats a sid another text has")


def _sid_well_formed(sid: object) -> bool:
    return isinstance(sid, str) and MESSAGE_SID.fullmatch(sid) is not None


def _error_code(code: object) -> int | None:
    """Twilio's error code (five digits or more) as an int, or None when the answer carried none we can read.

    The SDK puts the HTTP status in `code` when the error body is not Twilio's JSON: that is no code.
    """
    if isinstance(code, str) and re.fullmatch(r"[0-9]{1,8}", code):
        code = int(code)
    if isinstance(code, int) and not isinstance(code, bool) and 10_000 <= code < 10**8:
        return code
    return None


def _error_text(exc: TwilioRestException | TwilioServiceException) -> str:
    text = exc.msg if isinstance(exc, TwilioRestException) else exc.detail or exc.title
    return str(text)


def _may_have_created(http_status: object) -> bool:
    """True when an error answer does not prove the message was never created (5xx, or no error status at all).

    429 and other 4xx answers are refusals: Twilio created nothing.
    """
    return not (isinstance(http_status, int) and 400 <= http_status < 500)


def _outcome_unknown(message: OutboundMessage, *, code: int | None, text: str) -> SendOutcome:
    """Leave the row in `sending` and ask the provider about it after the delay a retry would wait.

    Sending again at once could text the patient twice: a timeout or a 5xx can come after Twilio
    created the message. outbox_reconcile_stale settles the row; a status callback naming the row
    (see _status_callback_url) settles it sooner.
    """
    attempts = OutboundMessage.objects.filter(id=message.id).values_list("attempts", flat=True).first() or 1
    delay = _backoff_seconds(attempts)
    OutboundMessage.objects.filter(id=message.id, status=Status.SENDING).update(
        reconcile_after=timezone.now() + timedelta(seconds=delay),
        last_error_code=code,
        last_error_message=f"{OUTCOME_UNKNOWN}: {text}"[:300],
    )
    logger.info("sms %s: outcome unknown (code %s), will ask the provider in %.0f s", message.id, code, delay)
    return SendOutcome(OUTCOME_UNKNOWN)


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
        _give_up(message.id, attempts=attempts, code=code, text=text)
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


def _give_up(message_id: int, *, attempts: int, code: int | None, text: str) -> None:
    """Fail a `sending` row that has had SMS_MAX_ATTEMPTS attempts; a text we meant to send and did not is an error."""
    if _finish(
        message_id,
        status=Status.FAILED,
        reconcile_after=None,
        last_error_code=code,
        last_error_message=f"gave up after {attempts} attempts: {text}"[:300],
    ):
        logger.error("sms %s failed after %s attempts (code %s)", message_id, attempts, code)


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
    """Settle rows left in `sending` by asking the provider what it has.

    Two kinds: rows whose worker died (still `sending` after `older_than`) and rows whose send ended
    with an unknown outcome (a 5xx, a timeout, an unreadable answer) once their `reconcile_after` is
    due. Found at the provider: recorded as sent. Not found: sent again (a failed attempt counts
    toward SMS_MAX_ATTEMPTS; a dead worker's does not). Provider unreachable or its answer
    unreadable: left for next time. A row that raises is logged and skipped; the others go on.
    """
    now = timezone.now()
    cutoff = now - (older_than or timedelta(seconds=settings.SMS_SENDING_STALE_SECONDS))
    counts = {"found": 0, "resent": 0, "failed": 0, "unknown": 0, "skipped": 0, "errors": 0}
    stale = list(
        OutboundMessage.objects.filter(
            Q(reconcile_after__isnull=True, sending_started_at__lt=cutoff) | Q(reconcile_after__lte=now),
            status=Status.SENDING,
        )
        .order_by("sending_started_at", "id")
        .values_list("id", "reconcile_after")[:200]
    )
    for message_id, reconcile_after in stale:
        try:
            counts[_reconcile_one(message_id, reconcile_after=reconcile_after)] += 1
        except Exception as exc:  # one row must never stop the others (nor the dispatcher)
            # No savepoint around the row (unlike core.sweeps): the provider lookup must not hold a transaction
            # open, and in the worker each statement commits on its own, so a failed one leaves the next usable.
            counts["errors"] += 1
            logger.error("sms %s: reconciliation failed: %s", message_id, exception_summary(exc))
    return counts


def _reconcile_one(message_id: int, *, reconcile_after: datetime.datetime | None) -> str:
    """Settle one row (see outbox_reconcile_stale); return which count it adds to."""
    # Claim the reconciliation (two dispatchers never settle one row twice) and put off the next look
    # if this one finds nothing certain; sending_started_at stays: it bounds the attempt's window.
    lease = timezone.now() + timedelta(seconds=settings.SMS_SENDING_STALE_SECONDS)
    same_lease = Q(reconcile_after__isnull=True) if reconcile_after is None else Q(reconcile_after=reconcile_after)
    if not OutboundMessage.objects.filter(same_lease, id=message_id, status=Status.SENDING).update(
        reconcile_after=lease
    ):
        return "skipped"  # another dispatcher has it
    message = OutboundMessage.objects.get(id=message_id)
    transport = channel_transport(message)
    if transport is not None:  # no provider to ask: the channel has its own rule
        return transport.reconcile(message)
    started = message.sending_started_at or message.created_at
    clock = AttemptClock().start()
    try:
        sid = _provider_find(message, since=started - CLOCK_MARGIN, until=timezone.now() + CLOCK_MARGIN)
    except Exception as exc:  # unreachable, refused, or an answer we cannot read: ask again later
        _attempt_record(message, clock, Outcome.UNKNOWN, detail=f"lookup failed ({type(exc).__name__})")
        logger.warning("sms %s: provider lookup failed (%s), will ask again", message_id, type(exc).__name__)
        return "unknown"
    after = "an unknown outcome" if message.last_error_message.startswith(OUTCOME_UNKNOWN) else "its sender stopped"
    found = Outcome.FOUND if sid else Outcome.NOT_FOUND
    _attempt_record(message, clock, found, detail=f"looked up after {after}", provider_message_id=sid or "")
    if sid:
        try:
            outbox_record_sent(message_id=message_id, sid=sid)
        except IntegrityError:  # another row recorded this SID meanwhile: look again next time
            return "unknown"
        return "found"
    still_sending = OutboundMessage.objects.filter(id=message_id, status=Status.SENDING)
    if message.last_error_message.startswith(OUTCOME_UNKNOWN):
        # The provider answered this attempt with an error and has no message: it was a failed attempt.
        if message.attempts >= settings.SMS_MAX_ATTEMPTS:
            _give_up(
                message_id, attempts=message.attempts, code=message.last_error_code, text=message.last_error_message
            )
            return "failed"
        still_sending.update(
            status=Status.SCHEDULED,
            send_after=timezone.now(),
            reconcile_after=None,
            last_error_message="not found at the provider after an unknown outcome; sending again",
        )
        return "resent"
    # The worker died: its attempt is not the text's fault.
    still_sending.update(
        status=Status.SCHEDULED, send_after=timezone.now(), reconcile_after=None, attempts=F("attempts") - 1
    )
    return "resent"


def outbox_sid_learn(*, message_id: int, sid: str) -> bool:
    """Record a SID a signed status callback names for this row, if the row is still waiting for one.

    The callback URL carries the row's id (see _status_callback_url), so this settles a row whose
    worker died or whose send ended with an unknown outcome, whatever the provider did to its text.
    """
    if not _sid_well_formed(sid) or OutboundMessage.objects.filter(provider_sid=sid).exists():
        return False
    # Only a row whose send ended without an answer, or whose worker is gone: a send still in flight
    # records its own SID, and racing it from here only adds lock waits to every callback.
    settled_elsewhere = Q(reconcile_after__isnull=False) | Q(
        sending_started_at__lt=timezone.now() - timedelta(seconds=settings.SMS_SENDING_STALE_SECONDS)
    )
    if not OutboundMessage.objects.filter(
        settled_elsewhere, id=message_id, status=Status.SENDING, provider_sid__isnull=True
    ).exists():
        return False
    try:
        outbox_record_sent(message_id=message_id, sid=sid)
    except IntegrityError:  # recorded for another row at the same moment
        return False
    return True


def _provider_find(message: OutboundMessage, *, since: datetime.datetime, until: datetime.datetime) -> str | None:
    """The SID of the message the provider has for this row, if any; raise ProviderAnswerInvalid if unreadable.

    Matched by what the provider keeps unchanged: our API sent it (from our sender) to the row's
    number, created within the attempt's window, and its SID is no other row's. The body only ranks
    candidates (Twilio may rewrite it: smart encoding, shortened links): among several, the one
    most like this row's text wins, and one that is more like another row still waiting for its
    SID is left to that row.
    """
    client = twilio_client_build()
    taken = set(
        OutboundMessage.objects.filter(to_number=message.to_number, provider_sid__isnull=False).values_list(
            "provider_sid", flat=True
        )
    )
    waiting = list(
        OutboundMessage.objects.filter(to_number=message.to_number, status=Status.SENDING, provider_sid__isnull=True)
        .exclude(id=message.id)
        .values_list("body", flat=True)
    )
    best: tuple[float, float, str] | None = None
    for candidate in client.messages.list(to=message.to_number, limit=100):
        sid, created = getattr(candidate, "sid", None), getattr(candidate, "date_created", None)
        if not _sid_well_formed(sid) or not isinstance(created, datetime.datetime) or created.tzinfo is None:
            raise ProviderAnswerInvalid("a listed message has no well-formed sid or date_created")
        assert isinstance(sid, str)  # checked just above
        if sid in taken or not since <= created <= until or not _ours(candidate, message):
            continue
        body = candidate.body if isinstance(candidate.body, str) else ""
        likeness = _body_likeness(message.body, body)
        if likeness < BODY_SIMILARITY_MIN or any(_body_likeness(other, body) > likeness for other in waiting):
            continue
        closeness = -abs((created - since).total_seconds())
        if best is None or (likeness, closeness) > best[:2]:
            best = (likeness, closeness, sid)
    return best[2] if best else None


def _ours(candidate: object, message: OutboundMessage) -> bool:
    """True when a listed message was sent through the API, to this number, from our sender."""
    if getattr(candidate, "direction", None) != "outbound-api" or getattr(candidate, "to", None) != message.to_number:
        return False
    return sender_for(message.clinic).sent(candidate)


def _body_likeness(ours: str, theirs: str) -> float:
    """How alike two texts are, 0 to 1 (1: the same); insensitive to the characters smart encoding replaces."""
    if ours == theirs:
        return 1.0
    return difflib.SequenceMatcher(None, _plain(ours), _plain(theirs), autojunk=False).ratio()


def _plain(text: str) -> str:
    return text.translate(_LOOK_ALIKES)


_LOOK_ALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
