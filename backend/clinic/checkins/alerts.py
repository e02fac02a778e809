"""Risk alerts: opening one, paging the on-call ladder (escalation.py), acknowledging it.

A page carries a link to the alert and nothing else: no name, number or words of the patient.
A crisis alert also holds the patient's automated check-ins (every patient's, when the text came from
a number several share) until a clinician resumes them.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.sweeps import exception_summary
from clinic.messaging.models import InboundMessage
from clinic.messaging.outbox import outbox_cancel_for
from clinic.patients.models import Patient

from .escalation import ALERT_RELATED_TYPE, alert_link, alert_page_first
from .models import Alert, CheckInAnswer
from .suspension import checkins_resume_for, checkins_suspend_for

logger = logging.getLogger(__name__)
__all__ = ["ALERT_RELATED_TYPE", "alert_link"]  # kept importable from here for older callers


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
    """Open an alert once per key; an urgent one pages the on-call clinician and holds the check-ins of the
    patient (or of each patient sharing the number it came from)."""
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
        if urgency == Alert.Urgency.URGENT:
            alert_page_first(alert, now=now)
            try:
                with transaction.atomic():
                    checkins_suspend_for(alert=alert, now=now)
            except Exception as exc:
                # The page above matters more; the send-time check still stops texts while the hold is open.
                logger.error("could not hold check-ins for alert %s: %s", alert.pk, exception_summary(exc))
    return alert


def alert_open_for_crisis(*, message: InboundMessage, why: str = "") -> Alert | None:
    """Open the urgent alert for a text with crisis language. Never stops the patient's crisis reply.

    `why` is the detector's explanation (the rule's category, or the nearest exemplar and its score),
    shown to the clinician on the alert.
    """
    try:
        with transaction.atomic():
            return alert_open(
                key=f"crisis:{message.pk}",
                urgency=Alert.Urgency.URGENT,
                reason=Alert.Reason.CRISIS,
                patient=message.patient,
                detail=why or "Crisis language in a text from the patient.",
                inbound_message=message,
            )
    except Exception as exc:
        # The reply with 988/911 must still reach the patient; the text stays routed as crisis in the inbox.
        logger.error("could not open the urgent alert for inbound message %s: %s", message.pk, exception_summary(exc))
        return None


def alert_acknowledge(
    *, alert: Alert, actor: Actor, note: str, resume_checkins: bool = False, now: datetime.datetime | None = None
) -> bool:
    """Record who looked at the alert and what they did; stop its pages. False if someone had already acknowledged it.

    `resume_checkins` also lifts the holds the alert put on automated check-ins (every patient it held).
    """
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
            if resume_checkins:
                checkins_resume_for(alert=alert, actor=actor, now=now)
    alert.refresh_from_db()
    return bool(changed)


def alert_cause_problem(related_id: str) -> str:
    """Checked at send time: an on-call text for an alert someone acknowledged is not sent."""
    alert = Alert.objects.filter(pk=int(related_id)).only("acknowledged_at").first()
    if alert is None:
        return "alert deleted"
    return "alert acknowledged" if alert.acknowledged_at else ""
