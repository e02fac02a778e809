"""The outbox: writing texts to send, cancelling them, and handing due ones to the workers."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboundMessage

Status = OutboundMessage.Status
PENDING_STATUSES = (Status.SCHEDULED, Status.QUEUED)


def outbox_enqueue(
    *,
    kind: str,
    to_number: str,
    body: str,
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
    """Write one text to the outbox, in the caller's transaction. The same key twice writes it once."""
    candidate = OutboundMessage(
        idempotency_key=idempotency_key,
        kind=kind,
        template=template,
        to_number=to_number,
        body=body,
        send_after=send_after or timezone.now(),
        patient_id=patient_id,
        inquiry_id=inquiry_id,
        related_type=related_type,
        related_id=related_id,
        outside_texting_hours_ok=outside_texting_hours_ok,
        created_by=created_by,
    )
    # INSERT ... ON CONFLICT DO NOTHING, then read the row: two statements where get_or_create needs four.
    OutboundMessage.objects.bulk_create([candidate], ignore_conflicts=True)
    return OutboundMessage.objects.get(idempotency_key=idempotency_key)


def outbox_cancel_for(*, related_type: str, related_id: str, reason: str) -> int:
    """Cancel every text a cause (e.g. an appointment) still has pending; sent ones stay as they are."""
    return OutboundMessage.objects.filter(
        related_type=related_type, related_id=related_id, status__in=PENDING_STATUSES
    ).update(status=Status.CANCELLED, suppressed_reason=reason[:60], finished_at=timezone.now())


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


def _enqueue_send_tasks(ids: Iterable[int]) -> None:
    from workers.tasks import outbox_send  # tasks import services; import here to avoid a cycle

    for message_id in ids:
        outbox_send.delay(message_id)


def dispatch_batch_size() -> int:
    """Claim no more than the send-rate limit lets out before the next look, so tasks rarely wait."""
    if float(settings.SMS_RATE_PER_SECOND) <= 0:
        return int(settings.SMS_DISPATCH_BATCH)  # no rate limit
    per_interval = float(settings.SMS_RATE_PER_SECOND) * float(settings.SMS_DISPATCH_INTERVAL_SECONDS)
    return max(1, min(int(settings.SMS_DISPATCH_BATCH), math.ceil(per_interval)))


def outbox_claim_due(*, limit: int | None = None) -> list[int]:
    """Move due rows from scheduled to queued and enqueue one send task per row once committed.

    Rows another dispatcher holds are skipped (SKIP LOCKED), so two beats never claim one row.
    """
    limit = limit or dispatch_batch_size()
    now = timezone.now()
    with transaction.atomic():
        due = (
            OutboundMessage.objects.filter(status=Status.SCHEDULED, send_after__lte=now)
            .order_by("send_after")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        ids = list(due)
        if ids:
            OutboundMessage.objects.filter(id__in=ids, status=Status.SCHEDULED).update(
                status=Status.QUEUED, queued_at=now
            )
            transaction.on_commit(lambda: _enqueue_send_tasks(ids))
    return ids


def outbox_requeue_lost(*, older_than: timedelta | None = None) -> int:
    """Put back rows queued long ago whose task never ran (a broker restart can lose it).

    Safe: a late task for such a row finds it no longer queued, or claims it before the new one.
    """
    cutoff = timezone.now() - (older_than or timedelta(seconds=settings.SMS_QUEUED_STALE_SECONDS))
    with transaction.atomic():
        # Lock first, skipping rows another dispatcher holds: two bulk UPDATEs of one set can deadlock.
        lost = list(
            OutboundMessage.objects.filter(Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True), status=Status.QUEUED)
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)
        )
        return OutboundMessage.objects.filter(id__in=lost, status=Status.QUEUED).update(status=Status.SCHEDULED)
