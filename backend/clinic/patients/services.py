"""Writes of patient records: created by staff directly (conversion from an inquiry lives in intake)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_timezone
from clinic.core.consent import consent_clear, consent_fields, consent_record
from clinic.core.languages import LANGUAGE_DEFAULT, validate_language
from clinic.core.models import Clinic
from clinic.core.timezones import validate_timezone_name

from .events import patient_email_changed, patient_language_changed, patient_phone_changed
from .models import Patient
from .selectors import patient_email_consent_covers, patient_sms_consent_covers

# Consent that staff record (told by the patient in person or on the phone) is marked as such.
STAFF_CONSENT_SOURCE = "staff"
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "timezone",
    "language",
    "reminder_channel",
    "clinic",
)


@dataclass(frozen=True)
class PatientDetails:
    """What staff give when they create a patient. `phone` is already E.164."""

    first_name: str
    last_name: str
    phone: str
    date_of_birth: datetime.date | None = None
    email: str = ""
    timezone: str = ""  # empty: the clinic's
    sms_consent: bool = False
    email_consent: bool = False
    reminder_channel: str = Patient.ReminderChannel.AUTOMATIC
    language: str = LANGUAGE_DEFAULT
    clinic: Clinic | None = None  # the home location


def _check_timezone(name: str) -> None:
    try:
        validate_timezone_name(name)
    except ValidationError as exc:
        raise ValidationError({"timezone": exc.messages}) from exc


def _consent_given_to_staff(patient: Patient, *, channel: str, now: datetime.datetime | None) -> None:
    """Consent the patient gave staff (in person or on the phone), for the number or address on file."""
    address = patient.phone if channel == "sms" else patient.email
    consent_record(patient, channel=channel, address=address, source=STAFF_CONSENT_SOURCE, now=now or timezone.now())


@transaction.atomic
def patient_create(*, actor: Actor, details: PatientDetails, now: datetime.datetime | None = None) -> Patient:
    """Create a patient; consent given to staff is recorded now, with the current wording's version."""
    tz_name = details.timezone or clinic_timezone().key
    _check_timezone(tz_name)
    patient = Patient(
        first_name=details.first_name,
        last_name=details.last_name,
        date_of_birth=details.date_of_birth,
        phone=details.phone,
        email=details.email,
        timezone=tz_name,
        language=details.language,
        reminder_channel=details.reminder_channel,
        clinic=details.clinic,
        created_by=actor.user_or_none,
    )
    if details.sms_consent:
        consent_record(
            patient, channel="sms", address=patient.phone, source=STAFF_CONSENT_SOURCE, now=now or timezone.now()
        )
    if details.email_consent:
        if not details.email:
            raise ValidationError({"email_consent": "Email consent needs an email address."})
        _consent_given_to_staff(patient, channel="email", now=now)
    patient.save()
    audit_by(
        actor,
        action=AuditEvent.Action.CREATE,
        target=patient,
        detail="created by staff"
        + (", sms_consent" if details.sms_consent else "")
        + (", email_consent" if details.email_consent else ""),
    )
    return patient


@transaction.atomic
def patient_update(
    *, actor: Actor, patient: Patient, changes: dict[str, Any], now: datetime.datetime | None = None
) -> Patient:
    """Change a patient's details; the audit event names the fields that changed, never their values.

    `changes` may hold any of EDITABLE_FIELDS and `sms_consent`. Consent belongs to a number: a new
    phone number drops the old consent unless consent to the new number is given in the same change.
    `sms_consent=True` records consent now (kept as it was if already given for the same number);
    `sms_consent=False` withdraws it.
    """
    unknown = set(changes) - {*EDITABLE_FIELDS, "sms_consent", "email_consent"}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed."))
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
    if "language" in changes:
        try:
            validate_language(changes["language"])
        except ValidationError as exc:
            raise ValidationError({"language": exc.messages}) from exc
    old_phone, old_email = patient.phone, patient.email
    # Consent recorded for another number or address than the one on file is no consent.
    had_consent = patient_sms_consent_covers(patient)
    had_email_consent = patient_email_consent_covers(patient)
    changed: list[str] = []
    for name in EDITABLE_FIELDS:
        if name in changes and getattr(patient, name) != changes[name]:
            setattr(patient, name, changes[name])
            changed.append(name)

    consent = changes.get("sms_consent")
    if consent is True and (not had_consent or "phone" in changed):
        consent_record(
            patient, channel="sms", address=patient.phone, source=STAFF_CONSENT_SOURCE, now=now or timezone.now()
        )
        changed.append("sms_consent")
    elif had_consent and (consent is False or "phone" in changed):
        consent_clear(patient, channel="sms")
        changed.append("sms_consent")

    # Email consent belongs to an address, the same way.
    email_changed = "email" in changed and old_email.lower() != patient.email.lower()
    email_consent = changes.get("email_consent")
    if email_consent is True and (not had_email_consent or email_changed):
        if not patient.email:
            raise ValidationError({"email_consent": "Email consent needs an email address."})
        _consent_given_to_staff(patient, channel="email", now=now)
        changed.append("email_consent")
    elif had_email_consent and (email_consent is False or email_changed):
        consent_clear(patient, channel="email")
        changed.append("email_consent")

    if changed:
        columns = [name for name in changed if name not in ("sms_consent", "email_consent")]
        patient.save(
            update_fields=[
                *columns,
                *(consent_fields("sms") if "sms_consent" in changed else ()),
                *(consent_fields("email") if "email_consent" in changed else ()),
            ]
        )
    if email_changed:
        # Emails already written for the old address go to the new one only with consent for it.
        patient_email_changed(
            patient_id=patient.pk,
            old_email=old_email,
            new_email=patient.email,
            consent_for_new=patient_email_consent_covers(patient),
        )
    if "phone" in changed:
        # Texts already written for the old number go to the new one only with consent for it.
        patient_phone_changed(
            patient_id=patient.pk,
            old_number=old_phone,
            new_number=patient.phone,
            consent_for_new=patient_sms_consent_covers(patient),
        )
    if "language" in changed:
        # Reminders and check-ins already written, and not yet sent, are written again in the new language.
        patient_language_changed(patient_id=patient.pk, language=patient.language)
    # Audited even when nothing changed: the caller still read the record back.
    audit_by(
        actor, action=AuditEvent.Action.UPDATE, target=patient, detail=f"changed: {', '.join(changed) or 'nothing'}"
    )
    return patient
