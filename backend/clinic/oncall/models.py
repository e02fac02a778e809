"""The on-call rota: who can be paged, on which number, with whose consent, and who is on call when.

Layering: above scheduling (the clinic's legacy on-call line), below checkins (which pages the rota).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class OnCallClinician(models.Model):
    """A staff member who can be paged about urgent alerts: their own mobile and their consent to pages by text."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_profile")
    mobile_phone = models.CharField(max_length=20, help_text="Their own mobile, E.164 (e.g. +16175550123).")
    sms_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When they agreed to on-call pages by text at this number."
    )
    sms_consent_phone = models.CharField(max_length=20, blank=True, help_text="The number the consent was given for.")
    sms_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_medical_director = models.BooleanField(
        default=False, help_text="Paged last, when neither the on-call clinician nor the backup acknowledges."
    )
    is_active = models.BooleanField(default=True, help_text="Untick to stop paging this person at all.")

    class Meta:
        ordering = ["user__last_name", "user__username"]
        verbose_name = "on-call clinician"
        constraints = [
            models.UniqueConstraint(
                fields=["is_medical_director"],
                condition=Q(is_medical_director=True),
                name="oncall_one_medical_director",
            )
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def has_sms_consent(self) -> bool:
        """Consent counts only for the number it was given for: a changed number has none until given again."""
        return self.sms_consent_at is not None and self.sms_consent_phone == self.mobile_phone


class OnCallShift(models.Model):
    """Who is on call from `starts_at` to `ends_at`, and who backs them up."""

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    clinician = models.ForeignKey(OnCallClinician, on_delete=models.PROTECT, related_name="shifts")
    backup = models.ForeignKey(
        OnCallClinician,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backup_shifts",
        help_text="Paged when the on-call clinician does not acknowledge in time or cannot be paged.",
    )
    note = models.CharField(max_length=120, blank=True)
    clinic = models.ForeignKey(
        "core.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="on_call_shifts",
        verbose_name="location",
        help_text="The location this shift covers. Blank: every location without a shift of its own.",
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = "on-call shift"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="oncall_shift_ends_after_start"),
            models.CheckConstraint(
                condition=Q(backup__isnull=True) | ~Q(backup=F("clinician")), name="oncall_backup_is_someone_else"
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="oncall_shift_span")]

    def __str__(self) -> str:
        return f"{self.clinician} on call"
