"""Opening and closing staff tasks."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.patients.models import Patient

from .models import StaffTask


def staff_task_open(
    *, kind: str, patient: Patient, key: str, detail: str = "", appointment_id: int | None = None
) -> StaffTask:
    """Open a task once per key (running it twice opens one task)."""
    task, _ = StaffTask.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "patient": patient,
            "appointment_id": appointment_id,
            "detail": detail[:200],
            "is_clinical": kind in StaffTask.CLINICAL_KINDS,
        },
    )
    return task


def staff_task_done(*, task: StaffTask, by: Actor) -> StaffTask:
    """Mark a task done once, and audit it once: the first person and time are kept however often (or by
    however many people at once) it is marked."""
    if StaffTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by.user_or_none
    ):
        audit_by(by, action=AuditEvent.Action.UPDATE, target=task, detail="marked done")
    task.refresh_from_db(fields=["done_at", "done_by"])
    return task


def staff_task_done_for_key(*, key: str, by: User | None = None) -> int:
    """Mark done the open task opened with `key`, if there is one (its cause went away); how many were."""
    return StaffTask.objects.filter(key=key, done_at__isnull=True).update(done_at=timezone.now(), done_by=by)
