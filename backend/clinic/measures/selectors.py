"""Reading questionnaires: a patient's latest results, and whether a session still lacks its baseline."""

from __future__ import annotations

from django.db.models import QuerySet

from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment

from .models import MeasurePlan, QuestionnaireAssignment
from .scores import appointment_score_summaries

Purpose = QuestionnaireAssignment.Purpose
Status = QuestionnaireAssignment.Status


def patient_assignments(*, patient_id: int) -> QuerySet[QuestionnaireAssignment]:
    """Every questionnaire of the patient, newest first (for staff pages and the API)."""
    return QuestionnaireAssignment.objects.filter(patient_id=patient_id).order_by("-due_at", "-pk")


def assignments_latest(patient: Patient | int) -> dict[str, QuestionnaireAssignment]:
    """The patient's latest completed questionnaire of each instrument, by instrument code."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    latest: dict[str, QuestionnaireAssignment] = {}
    done = QuestionnaireAssignment.objects.filter(patient_id=patient_id, status=Status.COMPLETED).order_by(
        "instrument", "-completed_at", "-pk"
    )
    for assignment in done:
        latest.setdefault(assignment.instrument, assignment)
    return latest


def baseline_instruments(appointment: Appointment) -> list[str]:
    """The instruments the session type's plans ask as a baseline."""
    return list(
        MeasurePlan.objects.filter(
            session_type_id=appointment.session_type_id, when=MeasurePlan.When.BASELINE, is_active=True
        ).values_list("instrument", flat=True)
    )


def baseline_missing(appointment: Appointment) -> bool:
    """True when the session's plans ask a baseline and, for some instrument, there is none before it — the
    clinician sees "no baseline". The same rule as the day schedule and the outcomes report (scores.py)."""
    instruments = set(baseline_instruments(appointment))
    if not instruments:
        return False
    lines = appointment_score_summaries([appointment]).get(appointment.pk, [])
    return any(line.no_baseline for line in lines if line.code in instruments)
