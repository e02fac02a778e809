"""Reads of the calendar that other modules and apps ask: sessions a patient has coming, and who works where."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from clinic.patients.models import Patient

from .models import Appointment, Provider, WorkingHours

# Sessions still to happen (or happening now): completed, cancelled and missed ones are history.
UPCOMING_STATUSES = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED, Appointment.Status.CHECKED_IN)


def patient_upcoming_appointments(
    patient: Patient, *, now: datetime.datetime | None = None, limit: int = 50
) -> list[Appointment]:
    """The patient's sessions that have not ended yet, soonest first."""
    return list(
        Appointment.objects.filter(patient=patient, status__in=UPCOMING_STATUSES, ends_at__gt=now or timezone.now())
        .select_related("provider", "room", "session_type__clinic")
        .order_by("starts_at")[:limit]
    )


def provider_works_at(*, provider: Provider, clinic_id: int) -> bool:
    """Whether the provider has working hours at this location (on some day of the week)."""
    return WorkingHours.objects.filter(provider=provider, clinic_id=clinic_id).exists()


def providers_working_at(*, clinic_id: int, weekday: int | None = None) -> QuerySet[Provider]:
    """Active providers with working hours at this location (on `weekday`, 0 = Monday, if given): a
    provider works wherever their hours say, whatever their home location."""
    hours = WorkingHours.objects.filter(clinic_id=clinic_id)
    if weekday is not None:
        hours = hours.filter(weekday=weekday)
    return Provider.objects.filter(is_active=True, pk__in=hours.values("provider_id")).order_by("display_name", "id")
