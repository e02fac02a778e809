from __future__ import annotations

import datetime

from django.db import models

from .timezones import validate_timezone_name


class Clinic(models.Model):
    """The clinic this installation serves: its name in texts, time zone, phone and texting hours."""

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

    class Meta:
        # The table keeps the name it had when the model lived in the scheduling app.
        db_table = "scheduling_clinic"

    def __str__(self) -> str:
        return self.name
