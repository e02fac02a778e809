"""Holding a patient's automated check-ins after a crisis text, until a clinician resumes them.

Nobody who just wrote that they want to die should get "please reply to our last text". A crisis
alert holds every check-in still waiting (their texts are withdrawn, follow-ups stop), and check-ins
of sessions completed while the hold lasts start held. Resuming (when acknowledging the alert, or
later) sends the held check-ins whose time is still ahead; those whose time passed are cancelled.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.messaging.outbox import outbox_cancel_for

from .models import Alert, CheckIn, CheckInHold
from .questions import CHECKIN_RELATED_TYPE, checkin_question_enqueue

Status = CheckIn.Status


def checkins_held(*, patient_id: int | None) -> bool:
    """True while a crisis hold on this patient's check-ins waits for a clinician."""
    return (
        patient_id is not None and CheckInHold.objects.filter(patient_id=patient_id, resumed_at__isnull=True).exists()
    )


def checkins_suspend_for(*, alert: Alert, now: datetime.datetime | None = None) -> int:
    """Hold the patient's check-ins for this alert (once per alert); return how many waiting ones were held."""
    if alert.patient_id is None:
        return 0  # a crisis text from an unknown number: there is nothing to hold
    now = now or timezone.now()
    CheckInHold.objects.get_or_create(alert=alert, defaults={"patient_id": alert.patient_id, "started_at": now})
    waiting = list(
        CheckIn.objects.filter(patient_id=alert.patient_id, status=Status.PENDING).values_list("pk", flat=True)
    )
    held = CheckIn.objects.filter(pk__in=waiting, status=Status.PENDING).update(status=Status.SUSPENDED)
    for check_in_id in waiting:
        outbox_cancel_for(related_type=CHECKIN_RELATED_TYPE, related_id=str(check_in_id), reason="check-ins on hold")
    return held


def checkins_resume_for(*, alert: Alert, actor: Actor, now: datetime.datetime | None = None) -> int | None:
    """Lift this alert's hold; once no other hold remains, send the held check-ins still ahead.

    Returns how many check-ins were sent again, or None if this alert held nothing (or was lifted before).
    """
    now = now or timezone.now()
    with transaction.atomic():
        lifted = CheckInHold.objects.filter(alert=alert, resumed_at__isnull=True).update(
            resumed_at=now, resumed_by=actor.user_or_none
        )
        if not lifted:
            return None
        hold = CheckInHold.objects.get(alert=alert)
        audit_by(actor, action=AuditEvent.Action.UPDATE, target=hold, detail="check-ins resumed")
        if checkins_held(patient_id=hold.patient_id):
            return 0  # another crisis alert still holds them
        resumed = 0
        held = CheckIn.objects.filter(patient_id=hold.patient_id, status=Status.SUSPENDED).select_related(
            "patient", "appointment__session_type__clinic", "message"
        )
        for check_in in held.select_for_update(of=("self",)):
            asked = check_in.message is not None and check_in.message.sent_at is not None
            if asked or check_in.due_at <= now:
                # Its question went out before the crisis, or its time passed during the hold.
                check_in.status = Status.CANCELLED
                check_in.closed_at = now
                check_in.save(update_fields=["status", "closed_at"])
                continue
            check_in.status = Status.PENDING
            check_in.message = checkin_question_enqueue(
                check_in=check_in,
                send_after=check_in.due_at,
                idempotency_key=f"checkin:{check_in.appointment_id}:{check_in.step_key}:resumed:{hold.pk}",
            )
            check_in.save(update_fields=["status", "message"])
            resumed += 1
    return resumed


def checkin_hold_problem(*, patient_id: int | None) -> str:
    """Checked at send time with each check-in text: none goes out while the patient's check-ins are held."""
    return "check-ins on hold after a crisis text" if checkins_held(patient_id=patient_id) else ""
