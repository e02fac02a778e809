from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_timezone_name(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not a known time zone (use a name like America/New_York).") from exc


class Clinic(models.Model):
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=30, help_text="How texts name the clinic; keep it neutral.")
    timezone = models.CharField(max_length=64, validators=[validate_timezone_name])
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +16175550100")
    address = models.TextField(blank=True)
    texting_starts = models.TimeField(default=datetime.time(8, 0))
    texting_ends = models.TimeField(default=datetime.time(21, 0))

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="providers")
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=60, blank=True, help_text="e.g. MD, NP, LCSW")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


class Room(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=60)
    is_treatment_chair = models.BooleanField(default=False, help_text="Can host a dosing session.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="room_name_unique_per_clinic")]

    def __str__(self) -> str:
        return self.name


class SessionType(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="session_types")
    name = models.CharField(max_length=80, help_text="Staff-facing; never sent in a text.")
    slug = models.SlugField(max_length=60)
    duration_minutes = models.PositiveIntegerField()
    monitoring_minutes = models.PositiveIntegerField(default=0, help_text="Observation after the session.")
    needs_chair = models.BooleanField(default=False)
    needs_clinician = models.BooleanField(default=True)
    needs_driver = models.BooleanField(default=False)
    fasting_hours = models.PositiveIntegerField(default=0, help_text="No food for this long before.")
    preparation_instructions = models.TextField(blank=True, help_text="Generic; may be sent by text.")
    color = models.CharField(max_length=7, default="#4a7bd0")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "slug"], name="session_type_slug_unique_per_clinic")]

    def __str__(self) -> str:
        return self.name

    @property
    def occupies_minutes(self) -> int:
        return self.duration_minutes + self.monitoring_minutes
