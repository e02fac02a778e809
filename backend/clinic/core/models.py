from __future__ import annotations

import datetime

from django.db import models

from .timezones import validate_timezone_name


class Organization(models.Model):
    """The clinic group this installation serves; its locations are `Clinic` rows."""

    name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return self.name


class Clinic(models.Model):
    """One location of the organization: its name in texts, address, time zone, phone, texting hours,
    and the number (or Messaging Service) its texts go from. Rooms, session types, providers' working
    hours and on-call shifts belong to a location; a patient may be seen at several."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=30, help_text="How texts name the clinic; keep it neutral.")
    timezone = models.CharField(max_length=64, validators=[validate_timezone_name])
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +16175550100")
    address = models.TextField(blank=True)
    texting_starts = models.TimeField(default=datetime.time(8, 0))
    texting_ends = models.TimeField(default=datetime.time(21, 0))
    on_call_phone = models.CharField(
        max_length=20, blank=True, help_text="E.164 number of the on-call clinician, texted for urgent alerts."
    )
    postcode = models.CharField(max_length=10, blank=True, help_text="US ZIP code: finds the nearest location.")
    sms_from_number = models.CharField(
        max_length=20,
        blank=True,
        help_text="E.164 number this location's texts go from and patients reply to. "
        "Blank: the organization's (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID).",
    )
    messaging_service_sid = models.CharField(
        max_length=34,
        blank=True,
        help_text="A Twilio Messaging Service (MG...) for this location, instead of a number.",
    )
    is_active = models.BooleanField(default=True, help_text="Untick when the location closes; its history stays.")

    class Meta:
        # The table keeps the name it had when the model lived in the scheduling app.
        db_table = "scheduling_clinic"
        ordering = ["name", "id"]
        verbose_name = "location"
        constraints = [
            models.UniqueConstraint(
                fields=["sms_from_number"], condition=~models.Q(sms_from_number=""), name="location_sender_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name
