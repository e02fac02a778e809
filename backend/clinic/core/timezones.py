"""Time zones by name: which names are valid. Which zone a person's texts use is
clinic.core.clinics.person_timezone."""

from __future__ import annotations

import functools
import zoneinfo

from django.core.exceptions import ValidationError


@functools.cache
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone_name(value: str) -> None:
    """Refuse a name that is not an IANA zone (a folder such as "America", or a file path, included)."""
    try:
        if value not in known_timezones():
            raise ValueError(value)
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a folder such as "America"
        raise ValidationError(f"{value[:64]!r} is not a known time zone (use a name like America/New_York).") from exc
