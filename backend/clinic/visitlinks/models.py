"""A session's own link (sent in its reminders and in answer to "R"), and each location's rules for changes by link."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from clinic.core.languages import LANGUAGE_DEFAULT, language_codes
from clinic.core.models import Clinic
from clinic.scheduling.models import Appointment

POLICY_TEXT_MAX_CHARS = 600


class VisitLink(models.Model):
    """One link to one session of one patient. Only the token's SHA-256 is kept: the database alone cannot
    open a session's page. It works until the session's start (its current start: a link sent before a move
    still opens the same session, never another one)."""

    class Purpose(models.TextChoices):
        REMINDER = "reminder", "Reminder text"
        REPLY = "reply", "Answer to a request to move"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="visit_links")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link to appointment #{self.appointment_id} ({self.get_purpose_display()})"


def validate_policy_translations(value: object) -> None:
    """{"es": "..."}: the policy in each other language the clinic offers."""
    others = [code for code in language_codes() if code != LANGUAGE_DEFAULT]
    if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
        raise ValidationError('Give one text per language, e.g. {"es": "..."}.')
    unknown = sorted(set(value) - set(others))
    if unknown:
        raise ValidationError(f"Languages this clinic does not offer: {', '.join(unknown)}.")
    if any(len(text) > POLICY_TEXT_MAX_CHARS for text in value.values()):
        raise ValidationError(f"At most {POLICY_TEXT_MAX_CHARS} characters each.")


class VisitLinkPolicy(models.Model):
    """How patients of one location may change a session from its link. A location without one uses the
    defaults below (24 hours, late changes by phone, no policy text)."""

    class LateChange(models.TextChoices):
        CALL = "call", "Ask the patient to call (the page shows the phone number)"
        ALLOW = "allow", "Allow it, with the policy text as a note"

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="visit_link_policy", verbose_name="location"
    )
    cancellation_window_hours = models.PositiveIntegerField(
        default=24, help_text="Cancelling or moving a session less than this long before its start is a late change."
    )
    late_change = models.CharField(max_length=8, choices=LateChange.choices, default=LateChange.CALL)
    policy_text = models.TextField(
        blank=True,
        max_length=POLICY_TEXT_MAX_CHARS,
        help_text="Shown beside Cancel on the session's page, e.g. a late-cancellation fee. Never sent by text.",
    )
    policy_translations = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_policy_translations],
        help_text='The policy text in the other languages, e.g. {"es": "..."}. Without one, the English is shown.',
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=21, help_text="How far ahead the page offers other times, in days."
    )

    class Meta:
        verbose_name = "visit link policy"
        verbose_name_plural = "visit link policies"

    def __str__(self) -> str:
        return f"Changes by link at {self.clinic}"

    def policy_in(self, language: str) -> str:
        translated = (self.policy_translations or {}).get(language, "").strip()
        return translated or self.policy_text.strip()
