"""Reads of sessions that other apps' pages show."""

from __future__ import annotations

import datetime

from django.utils import timezone

from clinic.patients.models import Patient

from .models import Appointment

# Sessions still to happen (or happening now): completed, cancelled and missed ones are history.
UPCOMING_STATUSES = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED, Appointment.Status.CHECKED_IN)


def patient_upcoming_appointments(
    patient: Patient, *, now: datetime.datetime | None = None, limit: int = 50
) -> list[Appointment]:
    """The patient's sessions that have not ended yet, soonest first."""
    return list(
        Appointment.objects.filter(patient=patient, status__in=UPCOMING_STATUSES, ends_at__gt=now or timezone.now())
        .select_related("provider", "room", "session_type")
        .order_by("starts_at")[:limit]
    )
