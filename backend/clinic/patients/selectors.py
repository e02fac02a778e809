"""Reads of patient records: search, one patient, and the parts of a patient's page that other apps add
(their number's opt-out state from messaging, their coming sessions from scheduling)."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clinic.core.clinics import person_timezone
from clinic.core.consent import email_consent_covers, sms_consent_covers
from clinic.core.models import Clinic

from .models import Patient

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


@dataclass(frozen=True)
class EmailState:
    """What our email suppression list says of a patient's address, and whether an email may go to it."""

    unsubscribed: bool
    unsubscribed_at: datetime.datetime | None
    undeliverable: bool
    undeliverable_at: datetime.datetime | None
    can_email: bool
    why_not: str


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


def patients_with_number_counts(
    patients: QuerySet[Patient], *, among: QuerySet[Patient] | None = None
) -> QuerySet[Patient]:
    """Annotate `number_holders`: how many patients on file (of `among`, else all) have each one's phone
    number (1 = only them)."""
    holders = (
        (Patient.objects.all() if among is None else among)
        .filter(phone=OuterRef("phone"))
        .order_by()
        .values("phone")
        .annotate(n=Count("id"))
        .values("n")
    )
    return patients.annotate(number_holders=Coalesce(Subquery(holders, output_field=IntegerField()), 1))


def patient_timezone(patient: Patient, clinic: Clinic | None = None) -> zoneinfo.ZoneInfo:
    """The zone this patient's texts and times follow: their own, else the clinic's."""
    return person_timezone(patient.timezone, clinic)


def patient_sms_consent_covers(patient: Patient, number: str | None = None) -> bool:
    """Whether the patient agreed to texts at `number` (their number on file if None): consent belongs
    to the number it was given for."""
    return sms_consent_covers(
        consented=patient.sms_consent_at is not None,
        consent_phone=patient.sms_consent_phone,
        phone=patient.phone,
        number=patient.phone if number is None else number,
    )


def patient_email_consent_covers(patient: Patient, address: str | None = None) -> bool:
    """Whether the patient agreed to emails at `address` (their address on file if None)."""
    return email_consent_covers(
        consented=patient.email_consent_at is not None,
        consent_address=patient.email_consent_address,
        address=patient.email,
        to_email=patient.email if address is None else address,
    )


def patient_records() -> QuerySet[Patient]:
    """Patient records as one patient's page reads them."""
    return Patient.objects.select_related("created_by")


# Parts of a patient's page that apps above patients provide, registered from their AppConfig.ready():
# "phone_state" and "email_state" (messaging: a PhoneState, an EmailState) and "upcoming_appointments"
# (scheduling: a list of sessions).
PATIENT_DETAIL_PARTS: dict[str, Callable[[Patient], object]] = {}


def patient_detail_part_register(*, name: str, reader: Callable[[Patient], object]) -> None:
    PATIENT_DETAIL_PARTS[name] = reader


def patient_detail_parts(*, patient: Patient) -> dict[str, object]:
    """Each registered part of the patient's page, read now."""
    return {name: reader(patient) for name, reader in PATIENT_DETAIL_PARTS.items()}
