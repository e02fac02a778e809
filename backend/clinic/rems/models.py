"""The esketamine (REMS) monitoring record: which session types need it, each location's limits, each
patient's enrollment, and one record per session.

The REMS (Risk Evaluation and Mitigation Strategy) asks a certified setting to monitor each session for at
least two hours, take blood pressure before dosing, at about 40 minutes and before discharge, observe
sedation, dissociation and respiratory depression, and submit a Patient Monitoring Form within 7 calendar
days (portal or fax). This software keeps the record and tracks the deadline; it never submits the form.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, SessionType

# The prescribing information's general guide for blood pressure before dosing: "as a general guide:
# >140 mmHg systolic, >90 mmHg diastolic" (SPRAVATO Prescribing Information, 2.1 and 5.6 Increase in Blood
# Pressure; spravatohcp.com "Dosing": "Blood pressure should be monitored prior to and 40 minutes after
# administration"). A reading above it is a warning for the clinician, never a refusal.
DEFAULT_SYSTOLIC_MAX = 140
DEFAULT_DIASTOLIC_MAX = 90
DEFAULT_MONITORING_MINUTES = 120  # "monitored by a healthcare provider for at least 2 hours"
DEFAULT_DEADLINE_DAYS = 7  # "Submit completed patient monitoring forms within 7 days"
DEFAULT_TASK_DAY = 5

NOT_SUBMITTING = (
    "This software never submits anything to the REMS: submit the form on the REMS portal or by fax, "
    "then mark it submitted here with the confirmation number."
)


class RemsSessionType(models.Model):
    """A session type whose sessions are esketamine sessions: each needs a monitoring record and an
    enrolled patient."""

    session_type = models.OneToOneField(SessionType, on_delete=models.CASCADE, related_name="rems")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "REMS session type"
        ordering = ["session_type__name"]

    def __str__(self) -> str:
        return str(self.session_type)


class RemsLocationSettings(models.Model):
    """One location's limits; a location without a row uses the defaults (selectors.rems_settings_for)."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="rems_settings", verbose_name="location"
    )
    systolic_max = models.PositiveSmallIntegerField(
        default=DEFAULT_SYSTOLIC_MAX, help_text="A systolic reading above this before dosing is a warning (mmHg)."
    )
    diastolic_max = models.PositiveSmallIntegerField(
        default=DEFAULT_DIASTOLIC_MAX, help_text="A diastolic reading above this before dosing is a warning (mmHg)."
    )
    monitoring_minutes = models.PositiveSmallIntegerField(
        default=DEFAULT_MONITORING_MINUTES, help_text="Discharge sooner than this after the first dose is a warning."
    )
    deadline_days = models.PositiveSmallIntegerField(
        default=DEFAULT_DEADLINE_DAYS, help_text="Calendar days after the session to submit the form."
    )
    task_day = models.PositiveSmallIntegerField(
        default=DEFAULT_TASK_DAY, help_text="On this calendar day after the session, an unsubmitted form opens a task."
    )

    class Meta:
        verbose_name = "REMS location settings"
        verbose_name_plural = "REMS location settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(task_day__lte=models.F("deadline_days")), name="rems_task_day_by_deadline"
            ),
            models.CheckConstraint(condition=models.Q(deadline_days__gte=1), name="rems_deadline_days_positive"),
        ]

    def __str__(self) -> str:
        return f"REMS settings of {self.clinic}"


class RemsEnrollment(models.Model):
    """The checklist item "REMS patient enrollment form completed": booking a REMS session waits for it."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="rems_enrollment")
    completed_at = models.DateTimeField()
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True, help_text="e.g. the REMS patient id, or 'faxed'.")

    class Meta:
        verbose_name = "REMS patient enrollment"

    def __str__(self) -> str:
        return f"REMS enrollment of patient #{self.patient_id}"


class Observation(models.TextChoices):
    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


def _yes_no(label: str) -> models.BooleanField[bool | None, bool | None]:
    return models.BooleanField(null=True, blank=True, verbose_name=label)


class MonitoringRecord(models.Model):
    """What the Patient Monitoring Form asks about one session, filled by staff during the session.

    `warnings` keeps what was flagged when it was last saved (a pre-dose reading over the location's
    threshold, an early discharge, a missing reading at 40 minutes): the clinician decides, and the
    record shows what they were told.
    """

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="monitoring_record")

    # Concomitant medication that may cause sedation or blood pressure changes.
    takes_benzodiazepines = _yes_no("benzodiazepines")
    takes_sedative_hypnotics = _yes_no("non-benzodiazepine sedative hypnotics")
    takes_psychostimulants = _yes_no("psychostimulants")
    takes_maois = _yes_no("monoamine oxidase inhibitors (MAOIs)")

    dose_mg = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Usually 56 or 84 mg.")
    lot_number = models.CharField(max_length=40, blank=True, help_text="The device lot number.")
    first_dose_at = models.DateTimeField(null=True, blank=True, help_text="First device administered.")
    last_dose_at = models.DateTimeField(null=True, blank=True, help_text="Last device administered.")

    bp_pre_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_pre_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_pre_at = models.DateTimeField(null=True, blank=True, help_text="Blood pressure before dosing: when.")
    bp_40_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_40_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_40_at = models.DateTimeField(null=True, blank=True, help_text="About 40 minutes after dosing: when.")
    bp_discharge_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_discharge_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_discharge_at = models.DateTimeField(null=True, blank=True, help_text="Before discharge: when.")
    vitals_ok_before_dosing = _yes_no("vital signs acceptable before administration")
    vitals_ok_at_discharge = _yes_no("vital signs acceptable before the session ended")

    sedation = models.CharField(max_length=10, choices=Observation.choices, blank=True)
    dissociation = models.CharField(max_length=10, choices=Observation.choices, blank=True)
    respiratory_depression = models.CharField(max_length=10, choices=Observation.choices, blank=True)
    observation_notes = models.TextField(blank=True, max_length=2000)
    adverse_events = models.TextField(blank=True, max_length=4000, help_text="Any adverse event; empty if none.")
    ready_to_leave_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Without the 2-hour minimum, when the patient would have been ready to leave (minutes from the "
        "first dose): the form's REMS evaluation question.",
    )

    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    warnings = models.JSONField(
        default=list, blank=True, help_text="Flagged when last saved: [{code, field, message}]."
    )

    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submission_reference = models.CharField(max_length=80, blank=True, help_text="The REMS confirmation number.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-appointment__starts_at"]
        verbose_name = "REMS monitoring record"

    def __str__(self) -> str:
        return f"Monitoring record of session #{self.appointment_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
