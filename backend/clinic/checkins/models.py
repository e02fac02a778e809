from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CheckInKind(models.TextChoices):
    HOME_SAFE = "home_safe", "Home safe?"
    MOOD = "mood", "Mood 0-10"
    PHQ2 = "phq2", "PHQ-2 (two questions, 0-3 each)"


class CheckInStep(models.Model):
    """One text of a session type's check-in plan, due `day_offset` days after the session ends, at a local time.

    A session type with no steps follows the default plan (plans.DEFAULT_PLAN); one whose steps are
    all inactive gets no check-ins at all.
    """

    session_type = models.ForeignKey("scheduling.SessionType", on_delete=models.CASCADE, related_name="checkin_steps")
    kind = models.CharField(max_length=12, choices=CheckInKind.choices)
    day_offset = models.PositiveSmallIntegerField(
        help_text="Days after the session ends: 0 is the same day, 1 the next day."
    )
    local_time = models.TimeField(help_text="Time of day in the patient's time zone.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["session_type", "day_offset", "local_time"]
        verbose_name = "check-in plan step"
        constraints = [
            models.UniqueConstraint(fields=["session_type", "kind", "day_offset"], name="checkin_step_unique"),
            models.CheckConstraint(condition=Q(day_offset__lte=60), name="checkin_step_within_60_days"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on day {self.day_offset} at {self.local_time:%H:%M}"


class CheckIn(models.Model):
    """One check-in sent after a completed session, and what became of it."""

    Kind = CheckInKind

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        UNREADABLE = "unreadable", "Answer passed to staff"
        NO_ANSWER = "no_answer", "No answer"
        NOT_SENT = "not_sent", "Could not be sent"
        CANCELLED = "cancelled", "Cancelled"
        SUSPENDED = "suspended", "Suspended after a crisis text"

    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.CASCADE, related_name="checkins")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="checkins")
    step_key = models.CharField(max_length=24, help_text="Kind and day, e.g. mood:d1: one check-in per step.")
    kind = models.CharField(max_length=12, choices=CheckInKind.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    next_question = models.PositiveSmallIntegerField(default=0, help_text="PHQ-2 asks two questions in turn.")
    message = models.ForeignKey(
        "messaging.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up_message = models.ForeignKey(
        "messaging.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clarification_sent_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(
        null=True, blank=True, help_text="When the patient last answered or we last asked again."
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name = "check-in"
        constraints = [models.UniqueConstraint(fields=["appointment", "step_key"], name="checkin_once_per_step")]
        indexes = [models.Index(fields=["patient", "status"], name="checkin_patient_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} check-in #{self.pk} ({self.get_status_display()})"

    @property
    def question_count(self) -> int:
        return 2 if self.kind == CheckInKind.PHQ2 else 1


class CheckInAnswer(models.Model):
    """A patient's reply to one check-in question: the raw text, and the score read from it (None: unreadable)."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="answers")
    question_index = models.PositiveSmallIntegerField(default=0)
    raw_text = models.TextField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    inbound_message = models.ForeignKey(
        "messaging.InboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = "check-in answer"
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "question_index"],
                condition=Q(score__isnull=False),
                name="checkin_answer_scored_once",
            )
        ]

    def __str__(self) -> str:
        return f"Answer to check-in #{self.check_in_id}, question {self.question_index + 1}"


class Alert(models.Model):
    """A sign of risk a clinician must look at and acknowledge with a note."""

    class Urgency(models.TextChoices):
        URGENT = "urgent", "Urgent"
        ELEVATED = "elevated", "Elevated"

    class Reason(models.TextChoices):
        CRISIS = "crisis", "Crisis language in a text"
        LOW_MOOD = "low_mood", "Low mood score"
        PHQ2_POSITIVE = "phq2_positive", "Positive PHQ-2 screen"
        SHARP_DROP = "sharp_drop", "Sharp drop in mood"
        NOT_HOME_SAFE = "not_home_safe", "Not home safe after a session"
        # PHQ-9 item 9 above 0 on a questionnaire by link (clinic.measures): paged like a crisis text.
        SELF_HARM_ITEM = "self_harm_item", "Thoughts of self-harm on a questionnaire"

    key = models.CharField(max_length=80, unique=True, help_text="One alert per cause, however often it is raised.")
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=200, blank=True, help_text="Scores behind the alert; never a message body.")
    inbound_message = models.ForeignKey(
        "messaging.InboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.ForeignKey(CheckInAnswer, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    opened_at = models.DateTimeField()
    last_notified_at = models.DateTimeField(null=True, blank=True)
    notify_count = models.PositiveSmallIntegerField(default=0, help_text="Paging rounds so far (see the pages).")
    escalation_level = models.SmallIntegerField(
        default=-1, help_text="The highest step of the on-call ladder paged so far (-1: none yet)."
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, help_text="What the clinician did.")

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            # The re-notify sweep reads only open urgent alerts.
            models.Index(
                fields=["last_notified_at"],
                name="alert_open_urgent",
                condition=Q(acknowledged_at__isnull=True, urgency="urgent"),
            ),
            models.Index(fields=["patient", "opened_at"], name="alert_patient_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} alert #{self.pk}: {self.get_reason_display()}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class AlertPage(models.Model):
    """One step of one paging round of an urgent alert: who was paged (or skipped, and why), when, which text."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="pages")
    round = models.PositiveSmallIntegerField()
    step = models.CharField(max_length=16, help_text="on_call, backup, director or clinic_line.")
    clinician = models.ForeignKey(
        "oncall.OnCallClinician", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    who = models.CharField(max_length=150, help_text="The name as it was when paged.")
    to_number = models.CharField(max_length=20, blank=True)
    message = models.ForeignKey(
        "messaging.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skipped_reason = models.CharField(max_length=40, blank=True, help_text="Why this step was passed over.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["alert", "round", "id"]
        verbose_name = "alert page"

    def __str__(self) -> str:
        return f"Round {self.round}: {self.step}"

    @property
    def was_paged(self) -> bool:
        return self.message_id is not None


class CheckInHold(models.Model):
    """Automated check-ins for a patient held after a crisis text, until a clinician resumes them.

    One per patient the alert is about: a crisis text from a number several patients share holds each of them.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="checkin_holds")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="checkin_holds")
    started_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "check-in hold"
        indexes = [models.Index(fields=["patient"], name="checkin_hold_open", condition=Q(resumed_at__isnull=True))]
        constraints = [models.UniqueConstraint(fields=["alert", "patient"], name="checkin_hold_one_per_alert_patient")]

    def __str__(self) -> str:
        return f"Check-ins held for patient #{self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.resumed_at is None
