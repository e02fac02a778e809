from __future__ import annotations

from django.conf import settings
from django.db import models

from clinic.core.languages import LANGUAGE_DEFAULT, validate_language
from clinic.core.timezones import validate_timezone_name


class Patient(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=20, db_index=True, help_text="E.164")
    email = models.EmailField(blank=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone_name])
    clinic = models.ForeignKey(
        "core.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patients",
        verbose_name="home location",
        help_text="Where the patient is mainly seen; they may be seen at other locations too.",
    )
    language = models.CharField(
        max_length=8,
        default=LANGUAGE_DEFAULT,
        db_default=LANGUAGE_DEFAULT,
        validators=[validate_language],
        help_text="The language of this patient's texts, emails and pages (e.g. en, es).",
    )

    # SMS consent as given: when, through what, and which wording the person agreed to.
    sms_consent_at = models.DateTimeField(null=True, blank=True)
    sms_consent_version = models.CharField(max_length=40, blank=True)
    sms_consent_source = models.CharField(max_length=40, blank=True)
    # Consent belongs to a number: texts go only to this one, and only while it is still `phone`.
    sms_consent_phone = models.CharField(max_length=20, blank=True, help_text="The number consent was given for.")
    # Opt-outs belong to the phone number, not the person: see messaging.PhoneNumberState.

    # Email consent, the same way: when, through what, which wording, and the address it was given for.
    email_consent_at = models.DateTimeField(null=True, blank=True)
    email_consent_version = models.CharField(max_length=40, blank=True)
    email_consent_source = models.CharField(max_length=40, blank=True)
    email_consent_address = models.EmailField(blank=True, help_text="The address consent was given for.")
    # Unsubscribes and bounces belong to the address: see messaging.EmailAddressState.

    class ReminderChannel(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic (text with SMS consent, else email with email consent)"
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"

    reminder_channel = models.CharField(
        max_length=10,
        choices=ReminderChannel.choices,
        default=ReminderChannel.AUTOMATIC,
        db_default=ReminderChannel.AUTOMATIC,
        help_text="How appointment reminders reach this patient. Check-ins and crisis answers are always texts.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
