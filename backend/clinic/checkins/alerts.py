"""Risk alerts: opening one, texting the on-call clinician, texting again until someone acknowledges it.

The on-call text carries a link to the alert and nothing else: no name, number or words of the patient.
"""

from __future__ import annotations

import datetime
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.outbox import outbox_cancel_for, outbox_enqueue
from clinic.messaging.texts import text_render
from clinic.patients.models import Patient
from clinic.scheduling.selectors import clinic_current

from .models import Alert, CheckInAnswer

logger = logging.getLogger(__name__)
ALERT_RELATED_TYPE = "checkins.Alert"


def alert_link(alert_id: int) -> str:
    return f"{settings.PUBLIC_BASE_URL}/admin/checkins/alert/{alert_id}/change/"


def _on_call_text(alert: Alert, *, round_number: int, now: datetime.datetime) -> OutboundMessage | None:
    """Write the on-call text for one notification round; the same round twice writes one text."""
    clinic = clinic_current()
    number = clinic.on_call_phone if clinic else ""
    if not number:
        logger.warning("urgent alert %s: no on-call number is configured; it shows in the admin and API only", alert.pk)
        return None
    name = "alert_on_call" if round_number == 1 else "alert_on_call_again"
    minutes = int((now - alert.opened_at).total_seconds() // 60)
    body = text_render(
        name, clinic=clinic.short_name if clinic else "Clinic", link=alert_link(alert.pk), minutes=minutes
    )
    return outbox_enqueue(
        kind=OutboundMessage.Kind.STAFF_ALERT,
        template=name,
        to_number=number,
        body=body,
        idempotency_key=f"alert:{alert.pk}:notify:{round_number}",
        send_after=now,
        related_type=ALERT_RELATED_TYPE,
        related_id=str(alert.pk),
        # A page to the on-call clinician goes out at any hour.
        outside_texting_hours_ok=True,
    )


def alert_open(
    *,
    key: str,
    urgency: str,
    reason: str,
    patient: Patient | None,
    detail: str = "",
    inbound_message: InboundMessage | None = None,
    answer: CheckInAnswer | None = None,
    now: datetime.datetime | None = None,
) -> Alert:
    """Open an alert once per key; an urgent one texts the on-call clinician at once."""
    now = now or timezone.now()
    alert, created = Alert.objects.get_or_create(
        key=key,
        defaults={
            "urgency": urgency,
            "reason": reason,
            "patient": patient,
            "detail": detail[:200],
            "inbound_message": inbound_message,
            "answer": answer,
            "opened_at": now,
        },
    )
    if created:
        logger.info("alert %s opened (%s, %s)", alert.pk, urgency, reason)
        if urgency == Alert.Urgency.URGENT and Alert.objects.filter(pk=alert.pk, notify_count=0).update(
            notify_count=1, last_notified_at=now
        ):
            _on_call_text(alert, round_number=1, now=now)
    return alert


def alert_open_for_crisis(*, message: InboundMessage) -> Alert | None:
    """Open the urgent alert for a text with crisis language. Never stops the patient's crisis reply."""
    try:
        with transaction.atomic():
            return alert_open(
                key=f"crisis:{message.pk}",
                urgency=Alert.Urgency.URGENT,
                reason=Alert.Reason.CRISIS,
                patient=message.patient,
                detail="Crisis language in a text from the patient.",
                inbound_message=message,
            )
    except Exception:
        # The reply with 988/911 must still reach the patient; the text stays routed as crisis in the inbox.
        logger.exception("could not open the urgent alert for inbound message %s", message.pk)
        return None


def alerts_renotify_due(*, now: datetime.datetime | None = None) -> int:
    """Text the on-call clinician again about each urgent alert still open after ALERT_RENOTIFY_MINUTES.

    Each round is claimed with a conditional UPDATE, so two beats (or a retried task) send it once.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.ALERT_RENOTIFY_MINUTES)
    due = Alert.objects.filter(urgency=Alert.Urgency.URGENT, acknowledged_at__isnull=True).filter(
        Q(last_notified_at__lte=cutoff) | Q(last_notified_at__isnull=True, opened_at__lte=cutoff)
    )
    sent = 0
    for alert in due.order_by("opened_at")[:200]:
        with transaction.atomic():
            claimed = Alert.objects.filter(
                pk=alert.pk, notify_count=alert.notify_count, acknowledged_at__isnull=True
            ).update(notify_count=alert.notify_count + 1, last_notified_at=now)
            if claimed != 1:
                continue
            _on_call_text(alert, round_number=alert.notify_count + 1, now=now)
            sent += 1
    return sent


def alert_acknowledge(*, alert: Alert, actor: Actor, note: str, now: datetime.datetime | None = None) -> bool:
    """Record who looked at the alert and what they did. False if someone had already acknowledged it."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what you did about this alert."})
    with transaction.atomic():
        changed = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now or timezone.now(), acknowledged_by=actor.user_or_none, note=note[:5000]
        )
        if changed:
            outbox_cancel_for(related_type=ALERT_RELATED_TYPE, related_id=str(alert.pk), reason="alert acknowledged")
            audit_by(actor, action=AuditEvent.Action.UPDATE, target=alert, detail="acknowledged")
    alert.refresh_from_db()
    return bool(changed)


def alert_cause_problem(related_id: str) -> str:
    """Checked at send time: an on-call text for an alert someone acknowledged is not sent."""
    alert = Alert.objects.filter(pk=int(related_id)).only("acknowledged_at").first()
    if alert is None:
        return "alert deleted"
    return "alert acknowledged" if alert.acknowledged_at else ""
