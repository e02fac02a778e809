"""Delivery in the sandbox: move accepted texts to sent and delivered (or failed), and call StatusCallback.

One daemon thread per process does it, fed by a queue, so the API answers before any callback and
thousands of texts never mean thousands of threads. Each text's steps wait on a timer heap inside
that thread, so the delays of many texts overlap instead of adding up.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.db import connections
from django.utils import timezone
from twilio.request_validator import RequestValidator

from .errors import twilio_error_message
from .models import SandboxMessage

logger = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
CALLBACK_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class DeliveryStep:
    status: str
    error_code: int | None = None


@dataclass(frozen=True)
class DeliveryPlan:
    sid: str
    steps: tuple[DeliveryStep, ...]
    delay_seconds: float


@dataclass(order=True)
class _DueStep:
    due: float
    seq: int
    plan: DeliveryPlan = field(compare=False)
    index: int = field(compare=False)


_queue: queue.Queue[_DueStep] = queue.Queue()
_sequence = itertools.count()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()
# Plans scheduled and not yet finished; sandbox_callbacks_drain waits for it to reach zero.
_pending = 0
_pending_changed = threading.Condition()


def callback_delay_seconds() -> float:
    return float(getattr(settings, "SMS_SANDBOX_CALLBACK_DELAY_SECONDS", 0.2))


def sandbox_delivery_schedule(*, plan: DeliveryPlan) -> None:
    """Queue a text's delivery steps; each runs delay_seconds after the one before."""
    global _pending
    if not plan.steps:
        return
    with _pending_changed:
        _pending += 1
    _worker_ensure_started()
    _queue.put(_DueStep(time.monotonic() + plan.delay_seconds, next(_sequence), plan, 0))


def sandbox_callbacks_drain(timeout: float) -> bool:
    """Wait until every scheduled delivery step has run (and its callback was sent); False on timeout."""
    with _pending_changed:
        return _pending_changed.wait_for(lambda: _pending == 0, timeout=timeout)


def _worker_ensure_started() -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_worker_run, name="sms-sandbox-delivery", daemon=True)
            _worker.start()


def _worker_run() -> None:
    timers: list[_DueStep] = []
    while True:
        wait = None if not timers else max(0.0, timers[0].due - time.monotonic())
        with contextlib.suppress(queue.Empty):
            heapq.heappush(timers, _queue.get(timeout=wait))
        while timers and timers[0].due <= time.monotonic():
            _due_step_run(heapq.heappop(timers), timers)


def _due_step_run(item: _DueStep, timers: list[_DueStep]) -> None:
    global _pending
    plan = item.plan
    try:
        _step_apply(plan.sid, plan.steps[item.index])
    except Exception as exc:  # the thread must outlive any one text
        logger.warning("SMS sandbox: delivery step %s failed for %s: %s", item.index, plan.sid, type(exc).__name__)
    if item.index + 1 < len(plan.steps):
        heapq.heappush(timers, _DueStep(time.monotonic() + plan.delay_seconds, next(_sequence), plan, item.index + 1))
        return
    if not timers and _queue.empty():
        # Idle: hold no database connection (a test database cannot be dropped while one is open).
        connections.close_all()
    with _pending_changed:
        _pending -= 1
        _pending_changed.notify_all()


def _step_apply(sid: str, step: DeliveryStep) -> None:
    message = SandboxMessage.objects.filter(sid=sid).first()
    if message is None:
        return  # deleted meanwhile (a test flushed its database)
    now = timezone.now()
    message.status = step.status
    message.date_updated = now
    update_fields = ["status", "date_updated"]
    if step.status == SandboxMessage.Status.SENT:
        message.date_sent = now
        update_fields.append("date_sent")
        if not message.from_number:
            # A messaging service picks a sender from its pool; the sandbox's pool is one number.
            message.from_number = settings.TWILIO_FROM_NUMBER
            update_fields.append("from_number")
    if step.error_code is not None:
        message.error_code = step.error_code
        message.error_message = twilio_error_message(step.error_code)
        update_fields += ["error_code", "error_message"]
    message.save(update_fields=update_fields)
    if message.status_callback:
        status_callback_send(message)


def status_callback_params(message: SandboxMessage) -> dict[str, str]:
    params = {
        "MessageSid": message.sid,
        "SmsSid": message.sid,
        "AccountSid": message.account_sid,
        "From": message.from_number,
        "To": message.to_number,
        "MessageStatus": message.status,
        "SmsStatus": message.status,
        "ApiVersion": API_VERSION,
    }
    if message.messaging_service_sid:
        params["MessagingServiceSid"] = message.messaging_service_sid
    if message.error_code is not None:
        params["ErrorCode"] = str(message.error_code)
    return params


def twilio_request_post(url: str, params: dict[str, str], *, timeout: float) -> requests.Response:
    """POST form parameters to the app the way Twilio does, signed with X-Twilio-Signature."""
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    headers = {
        "X-Twilio-Signature": signature,
        "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        "User-Agent": "TwilioProxy/1.1 (clinic SMS sandbox)",
    }
    return requests.post(url, data=params, headers=headers, timeout=timeout, allow_redirects=False)


def status_callback_send(message: SandboxMessage) -> None:
    try:
        response = twilio_request_post(
            message.status_callback, status_callback_params(message), timeout=CALLBACK_TIMEOUT_SECONDS
        )
    except requests.RequestException as exc:
        # Logged by sid and status only: the URL and parameters carry the patient's number.
        logger.warning(
            "SMS sandbox: status callback %s for %s not delivered: %s", message.status, message.sid, type(exc).__name__
        )
        return
    if response.status_code >= 400:
        logger.warning(
            "SMS sandbox: status callback %s for %s answered %s", message.status, message.sid, response.status_code
        )
