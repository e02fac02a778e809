"""Holding patients' automated check-ins after a crisis text, until a clinician resumes them.

Nobody who just wrote that they want to die should get "please reply to our last text". A crisis
alert holds every check-in still waiting (their texts are withdrawn, follow-ups stop), and check-ins
of sessions completed while the hold lasts start held. A text from a number several patients share
names none of them, so its alert holds each of them: one hold per patient, all tied to that alert.
Resuming (when acknowledging the alert, or later) sends the held check-ins whose time is still
ahead; those whose time passed are cancelled.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.locations import location_limit
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.messaging.outbox import outbox_cancel_for
from clinic.patients.selectors import patients_sharing_number

from .models import Alert, CheckIn, CheckInHold
from .questions import CHECKIN_RELATED_TYPE, checkin_question_enqueue
from .selectors import alert_number

Status = CheckIn.Status


def checkins_held(*, patient_id: int | None) -> bool:
    """True while a crisis hold on this patient's check-ins waits for a clinician."""
    return (
        patient_id is not None and CheckInHold.objects.filter(patient_id=patient_id, resumed_at__isnull=True).exists()
    )


def alert_patients_to_hold(alert: Alert) -> list[int]:
    """Whose check-ins an urgent alert holds: its patient, else everyone with the number its text came from."""
    if alert.patient_id is not None:
        return [alert.patient_id]
    # A shared number names no patient, and any of them may have written it: hold them all (none if unknown).
    return [patient.pk for patient in patients_sharing_number(alert_number(alert))]


def checkins_suspend_for(*, alert: Alert, now: datetime.datetime | None = None) -> int:
    """Hold the check-ins of each patient the alert is about (once per patient and alert); return how many
    waiting ones were held."""
    now = now or timezone.now()
    held = 0
    for patient_id in alert_patients_to_hold(alert):
        CheckInHold.objects.get_or_create(alert=alert, patient_id=patient_id, defaults={"started_at": now})
        waiting = list(
            CheckIn.objects.filter(patient_id=patient_id, status=Status.PENDING).values_list("pk", flat=True)
        )
        held += CheckIn.objects.filter(pk__in=waiting, status=Status.PENDING).update(status=Status.SUSPENDED)
        for check_in_id in waiting:
            outbox_cancel_for(
                related_type=CHECKIN_RELATED_TYPE, related_id=str(check_in_id), reason="check-ins on hold"
            )
    return held


def checkins_resume_for(
    *, alert: Alert, actor: Actor, patient_id: int | None = None, now: datetime.datetime | None = None
) -> int | None:
    """Lift this alert's holds (every patient's, or only `patient_id`'s); for each patient no other hold
    still holds, send the held check-ins still ahead. A staff member limited to some locations lifts the
    holds of the patients they may see only: the others are their own clinicians' to lift.

    Returns how many check-ins were sent again, or None if this alert held nothing (or was lifted before).
    """
    now = now or timezone.now()
    with transaction.atomic():
        open_holds = CheckInHold.objects.filter(alert=alert, resumed_at__isnull=True)
        if actor.user_or_none is not None:
            open_holds = location_limit(open_holds, user=actor.user_or_none)
        if patient_id is not None:
            open_holds = open_holds.filter(patient_id=patient_id)
        lifted: list[int] = []
        for hold_id in open_holds.order_by("pk").values_list("pk", flat=True):
            # Claimed one by one: a hold another request lifted a moment ago is left to that request.
            claimed = CheckInHold.objects.filter(pk=hold_id, resumed_at__isnull=True).update(
                resumed_at=now, resumed_by=actor.user_or_none
            )
            if claimed == 1:
                lifted.append(hold_id)
        if not lifted:
            return None
        resumed = 0
        for hold in CheckInHold.objects.filter(pk__in=lifted).order_by("pk"):
            audit_by(actor, action=AuditEvent.Action.UPDATE, target=hold, detail="check-ins resumed")
            if not checkins_held(patient_id=hold.patient_id):  # else another crisis alert still holds them
                resumed += _held_checkins_release(hold, now=now)
    return resumed


def _held_checkins_release(hold: CheckInHold, *, now: datetime.datetime) -> int:
    """Send again the patient's held check-ins still ahead, cancel the others; return how many were sent."""
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
