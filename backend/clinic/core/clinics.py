"""Questions about the clinic asked everywhere: which clinic, its name in texts, its time zone, and the
time zone a person's texts follow. One answer each."""

from __future__ import annotations

import zoneinfo

from django.conf import settings

from .models import Clinic

# What texts call the clinic before one is set up (a fresh installation).
CLINIC_NAME_FALLBACK = "Clinic"


def clinic_current() -> Clinic | None:
    """The clinic this installation serves (the first one; the service runs one clinic)."""
    return Clinic.objects.order_by("id").first()


def clinic_display_name(clinic: Clinic | None = None) -> str:
    """How texts and emails name the clinic: its short name."""
    clinic = clinic if clinic is not None else clinic_current()
    return clinic.short_name if clinic is not None and clinic.short_name else CLINIC_NAME_FALLBACK


def clinic_timezone(clinic: Clinic | None = None) -> zoneinfo.ZoneInfo:
    clinic = clinic if clinic is not None else clinic_current()
    return zoneinfo.ZoneInfo(clinic.timezone if clinic is not None else settings.CLINIC_TIMEZONE)


def person_timezone(timezone_name: str, clinic: Clinic | None = None) -> zoneinfo.ZoneInfo:
    """The zone a patient's texts and times follow: their own if they gave one, else the clinic's."""
    return zoneinfo.ZoneInfo(timezone_name) if timezone_name else clinic_timezone(clinic)


def clinic_text_values(clinic: Clinic | None = None) -> dict[str, str]:
    """How texts, emails and pages name the clinic and its number: `{clinic}` and `{clinic_phone}`."""
    clinic = clinic if clinic is not None else clinic_current()
    return {
        "clinic": clinic_display_name(clinic),
        "clinic_phone": clinic.phone if clinic is not None and clinic.phone else "the clinic",
    }
