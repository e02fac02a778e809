"""Changes to the rota: a clinician's number and consent to pages, and shifts."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from .models import OnCallClinician, OnCallShift


def on_call_number_set(
    *,
    clinician: OnCallClinician,
    mobile_phone: str,
    consent_given: bool,
    by: User | None,
    now: datetime.datetime | None = None,
) -> OnCallClinician:
    """Set a clinician's mobile number (E.164), recording their consent to pages if they gave it now.

    Consent belongs to a number: a new number has none until it is given (and recorded) again.
    """
    clinician.mobile_phone = mobile_phone
    if consent_given:
        clinician.sms_consent_at = now or timezone.now()
        clinician.sms_consent_phone = mobile_phone
        clinician.sms_consent_recorded_by = by
    elif clinician.sms_consent_phone != mobile_phone:
        clinician.sms_consent_at = None
        clinician.sms_consent_phone = ""
        clinician.sms_consent_recorded_by = None
    return clinician


def on_call_consent_withdraw(*, clinician: OnCallClinician) -> None:
    OnCallClinician.objects.filter(pk=clinician.pk).update(
        sms_consent_at=None, sms_consent_phone="", sms_consent_recorded_by=None
    )


def shift_problems(shift: OnCallShift) -> dict[str, str]:
    """Why a shift cannot be saved as it is, by field: it must end after it starts and overlap no other shift
    of the same location (organization-wide shifts count as one more location: a location's own shift
    may run beside an organization-wide one, and it goes first for that location)."""
    problems: dict[str, str] = {}
    if shift.starts_at and shift.ends_at and shift.ends_at <= shift.starts_at:
        problems["ends_at"] = "A shift must end after it starts."
    if shift.backup_id and shift.backup_id == shift.clinician_id:
        problems["backup"] = "The backup must be someone other than the on-call clinician."
    if shift.starts_at and shift.ends_at and not problems:
        same_place = Q(clinic_id=shift.clinic_id) if shift.clinic_id is not None else Q(clinic__isnull=True)
        overlapping = (
            OnCallShift.objects.filter(starts_at__lt=shift.ends_at, ends_at__gt=shift.starts_at)
            .filter(same_place)
            .exclude(pk=shift.pk)
        )
        other = overlapping.select_related("clinician__user").first()
        if other is not None:
            where = "this location" if shift.clinic_id else "the whole organization"
            problems["starts_at"] = (
                f"This overlaps the shift of {other.clinician} ({other.starts_at:%Y-%m-%d %H:%M} to "
                f"{other.ends_at:%Y-%m-%d %H:%M}); one person is on call at a time for {where}."
            )
    return problems


def shift_validate(shift: OnCallShift) -> None:
    problems = shift_problems(shift)
    if problems:
        raise ValidationError(problems)
