from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.core.languages import LANGUAGE_DEFAULT, validate_language

from .instruments import instrument_choices

FOLLOW_UP_WEEKS: tuple[int, ...] = (1, 4, 12)


class MeasurePlan(models.Model):
    """One questionnaire a session type asks, and when: baseline, before each session, or weeks after the series."""

    class When(models.TextChoices):
        BASELINE = "baseline", "Baseline (before the first session of a series, or the first of this type)"
        BEFORE_EACH = "before_each", "Before each session"
        AFTER_SERIES = "after_series", "Weeks after the series"

    session_type = models.ForeignKey("scheduling.SessionType", on_delete=models.CASCADE, related_name="measure_plans")
    instrument = models.CharField(max_length=16, choices=instrument_choices)
    when = models.CharField(max_length=16, choices=When.choices)
    weeks_after = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(weeks, f"{weeks} week{'s' if weeks > 1 else ''} after") for weeks in FOLLOW_UP_WEEKS],
        help_text="Only for 'weeks after the series': 1, 4 or 12 weeks after its last session.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["session_type", "instrument", "when", "weeks_after"]
        verbose_name = "questionnaire plan"
        constraints = [
            models.UniqueConstraint(
                fields=["session_type", "instrument", "when", "weeks_after"],
                name="measure_plan_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=(Q(when="after_series") & Q(weeks_after__in=FOLLOW_UP_WEEKS))
                | (~Q(when="after_series") & Q(weeks_after__isnull=True)),
                name="measure_plan_weeks_only_after_series",
            ),
        ]

    def __str__(self) -> str:
        if self.when == self.When.AFTER_SERIES:
            return f"{self.instrument} {self.weeks_after} weeks after the series"
        return f"{self.instrument} {self.get_when_display().split(' (')[0].lower()}"


class QuestionnaireAssignment(models.Model):
    """One questionnaire a patient is asked to fill in by link, and its answers and score."""

    class Purpose(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        PRE_SESSION = "pre_session", "Before a session"
        FOLLOW_UP = "follow_up", "Follow-up after the series"
        ON_DEMAND = "on_demand", "Sent by a clinician"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SENT = "sent", "Link sent"
        IN_PROGRESS = "in_progress", "Partly answered"
        COMPLETED = "completed", "Completed"
        EXPIRED = "expired", "Expired unanswered"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.SCHEDULED, Status.SENT, Status.IN_PROGRESS)

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="questionnaires")
    instrument = models.CharField(max_length=16, choices=instrument_choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    plan = models.ForeignKey(MeasurePlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="questionnaires"
    )
    series = models.ForeignKey(
        "scheduling.Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="questionnaires"
    )
    weeks_after = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=8, default=LANGUAGE_DEFAULT, validators=[validate_language])
    due_at = models.DateTimeField(help_text="When the link is texted.")
    expires_at = models.DateTimeField(help_text="After this the link answers that it has expired.")
    token_hash = models.CharField(max_length=64, unique=True, help_text="sha256 of the link's token (hex).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    answers = models.JSONField(default=dict, blank=True, help_text="{link_id: value}; partial answers are kept.")
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=24, blank=True)
    urgent_alert = models.ForeignKey(
        "checkins.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name = "questionnaire"
        indexes = [
            models.Index(fields=["patient", "instrument", "completed_at"], name="measure_patient_instr_done"),
            models.Index(fields=["status", "expires_at"], name="measure_status_expires"),
            models.Index(fields=["appointment", "purpose"], name="measure_appointment_purpose"),
        ]
        constraints = [
            # One baseline/pre-session questionnaire per instrument and session; one follow-up per series and week.
            models.UniqueConstraint(
                fields=["appointment", "instrument", "purpose"],
                condition=Q(purpose__in=["baseline", "pre_session"]) & ~Q(status="cancelled"),
                name="measure_once_per_session",
            ),
            models.UniqueConstraint(
                fields=["series", "instrument", "weeks_after"],
                condition=Q(purpose="follow_up") & ~Q(status="cancelled"),
                name="measure_follow_up_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(completed_at__isnull=False) & Q(total__isnull=False)),
                name="measure_completed_has_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} ({self.get_purpose_display()}) for patient {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
