from __future__ import annotations

import zoneinfo

from django.conf import settings

from .models import Clinic


def clinic_current() -> Clinic | None:
    """The clinic this installation serves (the first one; the service runs one clinic)."""
    return Clinic.objects.order_by("id").first()


def clinic_timezone() -> zoneinfo.ZoneInfo:
    clinic = clinic_current()
    return zoneinfo.ZoneInfo(clinic.timezone if clinic else settings.CLINIC_TIMEZONE)
