"""The filled Patient Monitoring Form, as labelled sections: one reading for the print page and the PDF.

The sections follow the form the REMS publishes (patient, concomitant medication, the provider monitoring,
the healthcare setting, the session: dose, lot, duration, vital signs, the three blood pressures,
sedation, dissociation, respiratory depression, adverse events), in the location's time zone.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from clinic.scheduling.models import Appointment

from .models import NOT_SUBMITTING, MonitoringRecord, Observation
from .pdf import Line, pdf_from_lines
from .selectors import form_deadline, patient_rems_enrollment, rems_appointments, rems_settings_for

BLANK = "(not recorded)"


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[tuple[str, str]]


def _yes_no(value: bool | None) -> str:
    return BLANK if value is None else ("Yes" if value else "No")


def _person(user: User | None) -> str:
    if user is None:
        return BLANK
    return user.get_full_name() or user.get_username()


def _observed(value: str) -> str:
    if not value:
        return BLANK
    label = Observation(value).label
    return "No" if value == Observation.NONE else f"Yes ({label.lower()})"


def _reading(record: MonitoringRecord, prefix: str, zone: zoneinfo.ZoneInfo) -> str:
    systolic, diastolic = getattr(record, f"{prefix}_systolic"), getattr(record, f"{prefix}_diastolic")
    if systolic is None or diastolic is None:
        return BLANK
    at: datetime.datetime | None = getattr(record, f"{prefix}_at")
    return f"{systolic}/{diastolic} mmHg" + (f" at {at.astimezone(zone):%H:%M}" if at is not None else "")


def _first_treatment(appointment: Appointment) -> bool:
    earlier = rems_appointments().filter(
        patient_id=appointment.patient_id, status=Appointment.Status.COMPLETED, starts_at__lt=appointment.starts_at
    )
    return not earlier.exists()


def monitoring_form_sections(record: MonitoringRecord, *, now: datetime.datetime | None = None) -> list[Section]:
    appointment = record.appointment
    clinic, patient, provider = appointment.session_type.clinic, appointment.patient, appointment.provider
    zone = zoneinfo.ZoneInfo(clinic.timezone)

    def clock(moment: datetime.datetime | None) -> str:
        return BLANK if moment is None else f"{moment.astimezone(zone):%m/%d/%Y %H:%M %Z}"

    enrollment = patient_rems_enrollment(patient_id=patient.pk)
    first, discharged = record.first_dose_at, record.discharged_at
    total = f"{int((discharged - first).total_seconds() // 60)} minutes" if first and discharged else BLANK
    dose = BLANK if record.dose_mg is None else f"{record.dose_mg} mg"
    limits = rems_settings_for(clinic_id=clinic.pk)
    deadline = form_deadline(appointment=appointment, limits=limits, submitted=record.is_submitted, now=now)
    if record.is_submitted:
        submission = [
            ("Marked submitted", clock(record.submitted_at)),
            ("By", _person(record.submitted_by)),
            ("REMS confirmation", record.submission_reference or BLANK),
        ]
    else:
        days = deadline.days_left
        left = f"{days} days left" if days >= 0 else f"overdue by {-days} days"
        submission = [("Marked submitted", f"No: due by {deadline.due_day:%m/%d/%Y} ({left})")]
    warnings = [(warning.get("field", ""), warning.get("message", "")) for warning in record.warnings or []]
    return [
        Section(
            "Patient",
            [
                ("First name", patient.first_name),
                ("Last name", patient.last_name),
                ("Birthdate", f"{patient.date_of_birth:%m/%d/%Y}" if patient.date_of_birth else BLANK),
                ("First treatment session", _yes_no(_first_treatment(appointment))),
                (
                    "Enrolled in the REMS",
                    f"Yes (enrollment form completed {clock(enrollment.completed_at)})" if enrollment else "No",
                ),
            ],
        ),
        Section(
            "Concomitant medication that may cause sedation or blood pressure changes",
            [
                ("Benzodiazepines", _yes_no(record.takes_benzodiazepines)),
                ("Non-benzodiazepine sedative hypnotics", _yes_no(record.takes_sedative_hypnotics)),
                ("Psychostimulants", _yes_no(record.takes_psychostimulants)),
                ("Monoamine oxidase inhibitors (MAOIs)", _yes_no(record.takes_maois)),
            ],
        ),
        Section(
            "Healthcare provider conducting patient monitoring",
            [
                ("Name", provider.display_name),
                ("Telephone", clinic.phone or BLANK),
                ("Email", provider.user.email or BLANK),
            ],
        ),
        Section(
            "Healthcare setting",
            [("Name", clinic.name), ("Address", " ".join(clinic.address.split()) or BLANK)],
        ),
        Section(
            "Treatment session (administration and monitoring)",
            [
                ("Treatment date", f"{appointment.starts_at.astimezone(zone):%m/%d/%Y}"),
                ("Dose administered", dose),
                ("Lot number", record.lot_number or BLANK),
                ("First device administered", clock(first)),
                ("Last device administered", clock(record.last_dose_at)),
                ("Total time (first device to end of monitoring)", total),
                (
                    "Ready to leave without the 2-hour minimum",
                    BLANK if record.ready_to_leave_minutes is None else f"{record.ready_to_leave_minutes} minutes",
                ),
            ],
        ),
        Section(
            "Vital signs and blood pressure",
            [
                ("Vital signs acceptable before administration", _yes_no(record.vitals_ok_before_dosing)),
                ("Vital signs acceptable before the session ended", _yes_no(record.vitals_ok_at_discharge)),
                ("Blood pressure before administration", _reading(record, "bp_pre", zone)),
                ("Blood pressure about 40 minutes after", _reading(record, "bp_40", zone)),
                ("Blood pressure before the session ended", _reading(record, "bp_discharge", zone)),
            ],
        ),
        Section(
            "Observations during monitoring",
            [
                ("Sedation", _observed(record.sedation)),
                ("Dissociation", _observed(record.dissociation)),
                ("Respiratory depression", _observed(record.respiratory_depression)),
                ("Notes", record.observation_notes or BLANK),
                ("Adverse events", record.adverse_events or "None recorded"),
            ],
        ),
        Section(
            "Discharge",
            [("Discharged", clock(discharged)), ("Decided by", _person(record.discharge_decided_by))],
        ),
        Section("Warnings at entry", warnings or [("", "None")]),
        Section("REMS submission", [*submission, ("", NOT_SUBMITTING)]),
    ]


def monitoring_form_title(record: MonitoringRecord) -> str:
    appointment = record.appointment
    zone = zoneinfo.ZoneInfo(appointment.session_type.clinic.timezone)
    patient = appointment.patient
    return (
        f"REMS Patient Monitoring Form: {patient.first_name} {patient.last_name}, "
        f"{appointment.starts_at.astimezone(zone):%m/%d/%Y}"
    )


def monitoring_form_pdf(record: MonitoringRecord, *, now: datetime.datetime | None = None) -> bytes:
    title = monitoring_form_title(record)
    lines = [Line(title, bold=True, size=14), Line(f"Printed {timezone.now():%Y-%m-%d %H:%M} UTC", size=8)]
    for section in monitoring_form_sections(record, now=now):
        lines.append(Line(section.title, bold=True, size=11, space_before=8))
        lines.extend(Line(f"{label}: {value}" if label else value) for label, value in section.rows)
    return pdf_from_lines(lines, title=title)
