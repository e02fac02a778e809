"""Reads of patient records: search, one patient, their number's opt-out state, their coming sessions."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.messaging.models import PhoneNumberState
from clinic.scheduling.models import Appointment

from .models import Patient

# Sessions still to happen (or happening now): completed, cancelled and missed ones are history.
UPCOMING_STATUSES = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED, Appointment.Status.CHECKED_IN)
# Fewer digits than this match too many numbers to be a phone search.
_MIN_PHONE_DIGITS = 3


@dataclass(frozen=True)
class PhoneState:
    """What our suppression list says of a patient's number, and whether a text may go to it."""

    opted_out: bool
    opted_out_at: datetime.datetime | None
    opt_out_keyword: str
    opted_in_at: datetime.datetime | None
    undeliverable: bool
    undeliverable_at: datetime.datetime | None
    can_text: bool


def patient_list(*, q: str = "") -> QuerySet[Patient]:
    """Patients by name, or by phone digits ("617 555" finds +16175550111), sorted by name.

    Every word must match the first or the last name; a query with enough digits also matches phones.
    """
    patients = Patient.objects.order_by("last_name", "first_name", "id")
    q = q.strip()
    if not q:
        return patients
    by_name = Q()
    for word in q.split():
        by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    digits = re.sub(r"\D", "", q)
    if len(digits) >= _MIN_PHONE_DIGITS:
        return patients.filter(by_name | Q(phone__contains=digits))
    return patients.filter(by_name)


def patients_sharing_number(phone: str) -> list[Patient]:
    """Every patient on file with this number, oldest first (a couple, a parent and child)."""
    if not phone:
        return []
    return list(Patient.objects.filter(phone=phone).order_by("created_at", "id"))


def patients_with_number_counts(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate `number_holders`: how many patients on file have each one's phone number (1 = only them)."""
    holders = (
        Patient.objects.filter(phone=OuterRef("phone")).order_by().values("phone").annotate(n=Count("id")).values("n")
    )
    return patients.annotate(number_holders=Coalesce(Subquery(holders, output_field=IntegerField()), 1))


def patient_get(*, patient_id: int) -> Patient | None:
    return Patient.objects.select_related("created_by").filter(pk=patient_id).first()


def patient_phone_state(*, patient: Patient) -> PhoneState:
    state = PhoneNumberState.objects.filter(phone=patient.phone).first()
    opted_out = state is not None and state.opted_out_at is not None
    undeliverable = state is not None and state.undeliverable_at is not None
    return PhoneState(
        opted_out=opted_out,
        opted_out_at=state.opted_out_at if state else None,
        opt_out_keyword=state.opt_out_keyword if state else "",
        opted_in_at=state.opted_in_at if state else None,
        undeliverable=undeliverable,
        undeliverable_at=state.undeliverable_at if state else None,
        can_text=patient.sms_consent_at is not None and not opted_out and not undeliverable,
    )


def patient_upcoming_appointments(
    *, patient: Patient, now: datetime.datetime | None = None, limit: int = 50
) -> list[Appointment]:
    """The patient's sessions that have not ended yet, soonest first."""
    return list(
        Appointment.objects.filter(patient=patient, status__in=UPCOMING_STATUSES, ends_at__gt=now or timezone.now())
        .select_related("provider", "room", "session_type")
        .order_by("starts_at")[:limit]
    )
