"""The outbox: writing texts and emails to send, cancelling them, and handing due ones to the workers."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinic.core.languages import LANGUAGE_DEFAULT
from clinic.core.models import Clinic

from .email.addresses import email_send_problem, email_state_ensure
from .models import EMAIL_KINDS, OutboundMessage, priority_of_kind

Status = OutboundMessage.Status
Priority = OutboundMessage.Priority
PENDING_STATUSES = (Status.SCHEDULED, Status.QUEUED)
# Tasks are enqueued by name: the messaging app never imports workers/.
SEND_BATCH_TASK = "workers.tasks.outbox_send_batch"
DISPATCH_URGENT_TASK = "workers.tasks.outbox_dispatch_urgent"
# A text's cause is named by its model's label_lower ("scheduling.appointment"), never an ad-hoc word.
RELATED_TYPE_FORM = re.compile(r"[a-z_][a-z0-9_]*\.[a-z0-9_]+")


def outbox_enqueue(
    *,
    kind: str,
    body: str,
    to_number: str = "",
    channel: str = OutboundMessage.Channel.SMS,
    to_email: str = "",
    subject: str = "",
    language: str = LANGUAGE_DEFAULT,
    clinic: Clinic | None = None,
    idempotency_key: str,
    send_after: datetime.datetime | None = None,
    template: str = "",
    patient_id: int | None = None,
    inquiry_id: int | None = None,
    related_type: str = "",
    related_id: str = "",
    outside_texting_hours_ok: bool = False,
    created_by: User | None = None,
) -> OutboundMessage:
    """Write one text (or email: `channel`, `to_email`, `subject`) to the outbox, in the caller's transaction.

    `clinic` is the location it is sent for: its sender sends it and its texting hours apply.

    The same key twice writes it once. An email that may not go to its address (no consent for it,
    unsubscribed, bounced, email off) is written already suppressed, with the reason, as history.
    """
    if channel == OutboundMessage.Channel.EMAIL and kind not in EMAIL_KINDS:
        raise ValueError(f"{kind} texts stay on SMS: only {sorted(EMAIL_KINDS)} may go by email")
    if related_type and not RELATED_TYPE_FORM.fullmatch(related_type):
        raise ValueError(f"related_type must be a model's label_lower (e.g. scheduling.appointment): {related_type!r}")
    send_after = send_after or timezone.now()
    priority = priority_of_kind(kind)
    candidate = OutboundMessage(
        idempotency_key=idempotency_key,
        kind=kind,
        priority=priority,
        template=template,
        channel=channel,
        to_number=to_number,
        to_email=to_email,
        subject=subject,
        body=body,
        language=language,
        clinic=clinic,
        send_after=send_after,
        patient_id=patient_id,
        inquiry_id=inquiry_id,
        related_type=related_type,
        related_id=related_id,
        outside_texting_hours_ok=outside_texting_hours_ok,
        created_by=created_by,
    )
    if channel == OutboundMessage.Channel.EMAIL:
        problem = email_send_problem(candidate)
        if problem:
            candidate.status, candidate.suppressed_reason, candidate.finished_at = (
                Status.SUPPRESSED,
                problem,
                timezone.now(),
            )
        else:
            email_state_ensure(to_email)  # its key is what the unsubscribe link carries
    # INSERT ... ON CONFLICT DO NOTHING, then read the row: two statements where get_or_create needs four.
    OutboundMessage.objects.bulk_create([candidate], ignore_conflicts=True)
    if priority == Priority.URGENT and settings.SMS_PRIORITY and send_after <= timezone.now():
        # A page does not wait for beat's next look: once committed, the urgent queue claims and sends it.
        transaction.on_commit(_dispatch_urgent_now, robust=True)
    return OutboundMessage.objects.get(idempotency_key=idempotency_key)


def urgent_queue_name() -> str:
    """The Celery queue for urgent sends, which every worker consumes before the default one."""
    return f"{current_app.conf.task_default_queue}{settings.SMS_URGENT_QUEUE_SUFFIX}"


def _dispatch_urgent_now() -> None:
    # If the broker cannot take it, beat's next look claims the row anyway (urgent first).
    current_app.send_task(DISPATCH_URGENT_TASK, queue=urgent_queue_name())


def outbox_cancel_for(*, related_type: str, related_id: str, reason: str) -> int:
    """Cancel every text a cause (e.g. an appointment) still has pending; sent ones stay as they are."""
    return OutboundMessage.objects.filter(
        related_type=related_type, related_id=related_id, status__in=PENDING_STATUSES
    ).update(status=Status.CANCELLED, suppressed_reason=reason[:60], finished_at=timezone.now())


def _enqueue_send_tasks(claimed: Sequence[tuple[int, int]]) -> None:
    """One batch task per SMS_SEND_BATCH rows of one priority; urgent ones on the urgent queue."""
    size = max(1, int(settings.SMS_SEND_BATCH))
    for priority in sorted({p for _, p in claimed}):
        ids = [message_id for message_id, p in claimed if p == priority]
        urgent = priority == Priority.URGENT
        queue = urgent_queue_name() if urgent else None
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            current_app.send_task(SEND_BATCH_TASK, args=[batch], kwargs={"urgent": urgent}, queue=queue)


def outbox_follow_number_change(
    *,
    old_number: str,
    new_number: str,
    consent_for_new: bool,
    patient_id: int | None = None,
    inquiry_id: int | None = None,
) -> int:
    """A person's number changed: their pending texts never go to the old one.

    With consent for the new number they are re-addressed to it; without, they are cancelled.
    Call it in the transaction that changes the number.
    """
    pending = OutboundMessage.objects.filter(to_number=old_number, status__in=PENDING_STATUSES)
    if patient_id is not None:
        pending = pending.filter(patient_id=patient_id)
    elif inquiry_id is not None:
        pending = pending.filter(inquiry_id=inquiry_id)
    else:
        raise ValueError("Name whose number changed: patient_id or inquiry_id.")
    ids = list(pending.select_for_update().values_list("id", flat=True))
    rows = OutboundMessage.objects.filter(id__in=ids, status__in=PENDING_STATUSES)
    if consent_for_new:
        return rows.update(to_number=new_number)
    return rows.update(
        status=Status.CANCELLED,
        suppressed_reason="number changed, no consent for the new one",
        finished_at=timezone.now(),
    )


def outbox_follow_email_change(
    *,
    old_email: str,
    new_email: str = "",
    consent_for_new: bool = False,
    patient_id: int | None = None,
    inquiry_id: int | None = None,
) -> int:
    """A person's email address changed: their pending emails never go to the old one.

    With consent for the new address they are re-addressed to it; without, they are cancelled (consent
    belongs to an address). Call it in the transaction that changes it.
    """
    if not old_email:
        return 0
    pending = OutboundMessage.objects.filter(
        channel=OutboundMessage.Channel.EMAIL, to_email__iexact=old_email, status__in=PENDING_STATUSES
    )
    if patient_id is not None:
        pending = pending.filter(patient_id=patient_id)
    elif inquiry_id is not None:
        pending = pending.filter(inquiry_id=inquiry_id)
    else:
        raise ValueError("Name whose address changed: patient_id or inquiry_id.")
    if consent_for_new and new_email:
        return pending.update(to_email=new_email)
    return pending.update(
        status=Status.CANCELLED, suppressed_reason="email address changed", finished_at=timezone.now()
    )


def outbox_send_later(*, message_ids: Sequence[int], urgent: bool, countdown: float) -> None:
    """Hand queued rows that found no send slot back to the broker, to try again once the window turns."""
    queue = urgent_queue_name() if urgent else None
    current_app.send_task(
        SEND_BATCH_TASK, args=[list(message_ids)], kwargs={"urgent": urgent}, queue=queue, countdown=countdown
    )


# How many rate intervals' worth of rows the dispatcher keeps handed out: a little more than one, so the
# workers never run dry between two looks and the send-rate limit, not the beat's timing, sets the pace.
DISPATCH_HEADROOM = 1.5
IN_FLIGHT_LOOKS = 5


def dispatch_batch_size(*, in_flight: int = 0) -> int:
    """How many rows one look claims: tops the rows already queued up to DISPATCH_HEADROOM intervals' worth
    of the send-rate limit, so tasks rarely wait for a slot and a late beat never leaves the workers idle."""
    if float(settings.SMS_RATE_PER_SECOND) <= 0:
        return int(settings.SMS_DISPATCH_BATCH)  # no rate limit
    per_interval = float(settings.SMS_RATE_PER_SECOND) * float(settings.SMS_DISPATCH_INTERVAL_SECONDS)
    wanted = math.ceil(per_interval * DISPATCH_HEADROOM) - in_flight
    return max(0, min(int(settings.SMS_DISPATCH_BATCH), wanted))


def outbox_claim_due(*, limit: int | None = None, max_priority: int = Priority.BULK, enqueue: bool = True) -> list[int]:
    """Move due rows from scheduled to queued, most urgent first, and enqueue batch send tasks once committed
    (unless `enqueue` is false: the caller sends them itself).

    One index range per priority (status scheduled, priority p, send_after <= now), so the cost stays
    independent of the future backlog. Rows another dispatcher holds are skipped (SKIP LOCKED), so two
    beats never claim one row.
    """
    now = timezone.now()
    if limit is None:
        # Rows handed out in the last few looks are in flight; older ones may have lost their task
        # (outbox_requeue_lost hands those out again) and must not hold up the rest.
        recent = now - timedelta(seconds=IN_FLIGHT_LOOKS * float(settings.SMS_DISPATCH_INTERVAL_SECONDS))
        in_flight = OutboundMessage.objects.filter(status=Status.QUEUED, queued_at__gte=recent).count()
        limit = dispatch_batch_size(in_flight=in_flight)
    claimed: list[tuple[int, int]] = []
    # SMS_PRIORITY=false (a benchmark's baseline): one range in order of due time, every row routine.
    ranges = range(Priority.URGENT, max_priority + 1) if settings.SMS_PRIORITY else [None]
    with transaction.atomic():
        for priority in ranges:
            # Urgent rows never wait for the routine ones already handed out.
            room = (int(settings.SMS_DISPATCH_BATCH) if priority == Priority.URGENT else limit) - len(claimed)
            if room <= 0:
                break
            due = OutboundMessage.objects.filter(status=Status.SCHEDULED, send_after__lte=now)
            if priority is not None:
                due = due.filter(priority=priority)
            rows = due.order_by("send_after").select_for_update(skip_locked=True).values_list("id", flat=True)
            claimed += [(message_id, Priority.ROUTINE if priority is None else priority) for message_id in rows[:room]]
        ids = [message_id for message_id, _ in claimed]
        if ids:
            OutboundMessage.objects.filter(id__in=ids, status=Status.SCHEDULED).update(
                status=Status.QUEUED, queued_at=now
            )
            if enqueue:
                transaction.on_commit(lambda: _enqueue_send_tasks(claimed))
    return ids


def outbox_requeue_lost(*, older_than: timedelta | None = None) -> int:
    """Hand out again rows queued long ago whose task may never run (a broker restart can lose it).

    The rows stay queued, with a fresh `queued_at`, and get a new send task once committed. Their
    first task may only be late (a backlog still waiting in the broker): whichever task comes first
    claims the row (queued -> sending, a conditional UPDATE), and the other finds it no longer queued.
    Putting them back to scheduled instead made the late task give up on them, so a backlog grew.
    """
    now = timezone.now()
    cutoff = now - (older_than or timedelta(seconds=settings.SMS_QUEUED_STALE_SECONDS))
    with transaction.atomic():
        # Lock first, skipping rows another dispatcher holds: two bulk UPDATEs of one set can deadlock.
        lost = list(
            OutboundMessage.objects.filter(Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True), status=Status.QUEUED)
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", "priority")
        )
        if not lost:
            return 0
        handed = OutboundMessage.objects.filter(
            id__in=[message_id for message_id, _ in lost], status=Status.QUEUED
        ).update(queued_at=now)
        # As outbox_claim_due hands them out: without SMS_PRIORITY every row is routine.
        claimed = [(message_id, p if settings.SMS_PRIORITY else Priority.ROUTINE) for message_id, p in lost]
        transaction.on_commit(lambda: _enqueue_send_tasks(claimed))
    return handed
