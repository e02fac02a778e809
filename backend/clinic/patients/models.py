from __future__ import annotations

from django.conf import settings
from django.db import models

from clinic.core.timezones import validate_timezone_name


class Patient(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=20, db_index=True, help_text="E.164")
    email = models.EmailField(blank=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone_name])

    # SMS consent as given: when, through what, and which wording the person agreed to.
    sms_consent_at = models.DateTimeField(null=True, blank=True)
    sms_consent_version = models.CharField(max_length=40, blank=True)
    sms_consent_source = models.CharField(max_length=40, blank=True)
    # Consent belongs to a number: texts go only to this one, and only while it is still `phone`.
    sms_consent_phone = models.CharField(max_length=20, blank=True, help_text="The number consent was given for.")
    # Opt-outs belong to the phone number, not the person: see messaging.PhoneNumberState.

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
