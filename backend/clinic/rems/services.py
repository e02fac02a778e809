"""Writes: a session's monitoring record, marking its form submitted, a patient's enrollment, the booking
rule, and the sweep that reminds staff on day 5."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.sweeps import sweep_row
from clinic.patients.models import Patient
from clinic.scheduling.events import AppointmentChange
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import Booking
from clinic.todos.models import StaffTask
from clinic.todos.services import staff_task_done_for_key, staff_task_open

from .models import MonitoringRecord, RemsEnrollment
from .rules import form_missing, record_problems, record_warnings
from .selectors import (
    form_deadline,
    patient_rems_enrollment,
    rems_appointments,
    rems_settings_for,
    session_type_is_rems,
)

# What staff fill in (the API and the admin form write these, nothing else).
RECORD_FIELDS = (
    "takes_benzodiazepines",
    "takes_sedative_hypnotics",
    "takes_psychostimulants",
    "takes_maois",
    "dose_mg",
    "lot_number",
    "first_dose_at",
    "last_dose_at",
    "bp_pre_systolic",
    "bp_pre_diastolic",
    "bp_pre_at",
    "bp_40_systolic",
    "bp_40_diastolic",
    "bp_40_at",
    "bp_discharge_systolic",
    "bp_discharge_diastolic",
    "bp_discharge_at",
    "vitals_ok_before_dosing",
    "vitals_ok_at_discharge",
    "sedation",
    "dissociation",
    "respiratory_depression",
    "observation_notes",
    "adverse_events",
    "ready_to_leave_minutes",
    "discharged_at",
    "discharge_decided_by",
)
# A record is filled while the patient is in the chair, and completed after.
FILLABLE_STATUSES = (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED)
TASK_KIND = StaffTask.Kind.REMS_FORM_DUE
SWEEP_LOOKBACK = datetime.timedelta(days=60)


def form_task_key(appointment_id: int) -> str:
    return f"rems-form:{appointment_id}"


# --- The booking rule -------------------------------------------------------------------------------------


def rems_booking_problems(booking: Booking) -> dict[str, str]:
    """A REMS session is booked only for a patient whose enrollment form is completed (scheduling asks this
    for every booking and move, through BOOKING_CHECKS)."""
    if not session_type_is_rems(session_type_id=booking.session_type.pk):
        return {}
    if patient_rems_enrollment(patient_id=booking.patient.pk) is not None:
        return {}
    return {
        "patient": "This patient's REMS enrollment form is not marked completed: tick it on the patient's "
        "REMS enrollment before booking this session type."
    }


# --- Enrollment -------------------------------------------------------------------------------------------


@transaction.atomic
def rems_enrollment_complete(*, actor: Actor, patient: Patient, note: str = "") -> RemsEnrollment:
    """Tick the checklist item once: the first person and time are kept."""
    enrollment, created = RemsEnrollment.objects.get_or_create(
        patient=patient,
        defaults={"completed_at": timezone.now(), "completed_by": actor.user_or_none, "note": note.strip()[:200]},
    )
    if created:
        audit_by(actor, action=AuditEvent.Action.CREATE, target=enrollment, detail="REMS enrollment completed")
    return enrollment


# --- The record ---------------------------------------------------------------------------------------------


def monitoring_record_ensure(*, appointment: Appointment) -> MonitoringRecord:
    record, _ = MonitoringRecord.objects.get_or_create(appointment=appointment)
    return record


def monitoring_record_follow_appointment(change: AppointmentChange) -> None:
    """A completed REMS session gets its (empty) record at once, so the tracker counts it from day 0."""
    appointment = change.appointment
    if session_type_is_rems(session_type_id=appointment.session_type_id):
        monitoring_record_ensure(appointment=appointment)


def _values_of(record: MonitoringRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in RECORD_FIELDS}


def monitoring_record_check(
    *, appointment: Appointment, values: Mapping[str, Any], now: datetime.datetime | None = None
) -> list[dict[str, str]]:
    """Refuse impossible values (ValidationError by field); return the warnings the values earn."""
    problems = record_problems(values, session_starts_at=appointment.starts_at)
    if problems:
        raise ValidationError(problems)
    limits = rems_settings_for(clinic_id=appointment.session_type.clinic_id)
    return record_warnings(values, limits=limits, now=now or timezone.now())


@transaction.atomic
def monitoring_record_save(
    *,
    actor: Actor,
    appointment: Appointment,
    values: Mapping[str, Any],
    now: datetime.datetime | None = None,
) -> MonitoringRecord:
    """Write what staff entered (every field of RECORD_FIELDS; those not given are emptied, as a PUT).

    Impossible values raise ValidationError naming the field; warnings are kept on the record and audited
    by their codes. Who decided the discharge defaults to the person saving it.
    """
    if not session_type_is_rems(session_type_id=appointment.session_type_id):
        raise ValidationError({"appointment": "This session type is not a REMS session type."})
    if appointment.status not in FILLABLE_STATUSES:
        raise ValidationError(
            {"status": f"A {appointment.get_status_display().lower()} session has no monitoring record to fill."}
        )
    record, created = MonitoringRecord.objects.select_for_update().get_or_create(appointment=appointment)
    if record.is_submitted:
        raise ValidationError(
            {"submitted_at": "This form was marked submitted to the REMS: its record can no longer change."}
        )
    data = {name: values.get(name) for name in RECORD_FIELDS}
    for name in ("lot_number", "sedation", "dissociation", "respiratory_depression"):
        data[name] = (data[name] or "").strip()
    for name in ("observation_notes", "adverse_events"):
        data[name] = (data[name] or "").strip()
    if data["discharged_at"] is not None and data["discharge_decided_by"] is None:
        data["discharge_decided_by"] = actor.user_or_none
    decider = data["discharge_decided_by"]
    if decider is not None and not (isinstance(decider, User) and decider.is_active and decider.is_staff):
        raise ValidationError({"discharge_decided_by": "Name an active staff member."})
    warnings = monitoring_record_check(appointment=appointment, values=data, now=now)
    before = _values_of(record)
    changed = [name for name in RECORD_FIELDS if before[name] != data[name]]
    for name, value in data.items():
        setattr(record, name, value)
    record.warnings = warnings
    record.updated_by = actor.user_or_none
    record.save()
    codes = ", ".join(warning["code"] for warning in warnings)
    # The warnings first (the detail is cut at 200 characters); the field names, never their values.
    detail = (f"warnings: {codes}; " if codes else "") + f"fields: {', '.join(changed) or 'none'}"
    audit_by(
        actor, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, target=record, detail=detail
    )
    return record


@transaction.atomic
def monitoring_record_mark_submitted(
    *, actor: Actor, record: MonitoringRecord, reference: str, now: datetime.datetime | None = None
) -> bool:
    """Record that staff submitted the form to the REMS (this software never does). Once: a second mark
    keeps the first person, time and reference and answers False."""
    record = MonitoringRecord.objects.select_for_update().select_related("appointment").get(pk=record.pk)
    if record.appointment.status != Appointment.Status.COMPLETED:
        raise ValidationError({"status": "Mark the session completed before its form is submitted."})
    missing = form_missing(_values_of(record))
    if missing and not record.is_submitted:
        raise ValidationError(dict.fromkeys(missing, "The Patient Monitoring Form needs this."))
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "Give the REMS confirmation number (or 'fax' and the date sent)."})
    changed = MonitoringRecord.objects.filter(pk=record.pk, submitted_at__isnull=True).update(
        submitted_at=now or timezone.now(), submitted_by=actor.user_or_none, submission_reference=reference[:80]
    )
    if changed:
        audit_by(actor, action=AuditEvent.Action.UPDATE, target=record, detail="marked submitted to the REMS")
        staff_task_done_for_key(key=form_task_key(record.appointment_id), by=actor.user_or_none)
    return bool(changed)


# --- The day-5 reminder -----------------------------------------------------------------------------------


def rems_forms_due_sweep(*, now: datetime.datetime | None = None) -> int:
    """Open a staff task (once per session) for each completed REMS session whose form is not marked
    submitted once its location's task day has come, counted in the location's own calendar days."""
    now = now or timezone.now()
    opened = 0
    due = (
        rems_appointments()
        .filter(status=Appointment.Status.COMPLETED, starts_at__gte=now - SWEEP_LOOKBACK)
        .exclude(monitoring_record__submitted_at__isnull=False)
        .select_related("session_type__clinic", "patient")
        .order_by("starts_at", "id")
    )
    for appointment in due:
        with sweep_row("REMS forms due", appointment.pk):
            monitoring_record_ensure(appointment=appointment)
            limits = rems_settings_for(clinic_id=appointment.session_type.clinic_id)
            deadline = form_deadline(appointment=appointment, limits=limits, submitted=False, now=now)
            if deadline.today < deadline.task_day:
                continue
            staff_task_open(
                kind=TASK_KIND,
                patient=appointment.patient,
                appointment_id=appointment.pk,
                key=form_task_key(appointment.pk),
                detail=f"REMS monitoring form for the session of {deadline.session_day:%b %d} not marked "
                f"submitted: due by {deadline.due_day:%b %d}. Submit it on the REMS portal or by fax.",
            )
            opened += 1
    return opened
