"""Demo self-booking: each demo location offers a 30-minute video first call, requested (front desk confirms)."""

from __future__ import annotations

from clinic.core.models import Clinic
from clinic.scheduling.models import SessionType
from clinic.selfbooking.models import SelfBookableType, SelfBookingLocation


def selfbooking_demo_load(locations: dict[str, Clinic]) -> None:
    """Create what is missing; an existing setting a clinic admin changed is left as it is. Safe to run again."""
    for location in locations.values():
        consult, _ = SessionType.objects.get_or_create(
            clinic=location,
            slug="video-first-call",
            defaults={"name": "First call (video)", "mode": SessionType.Mode.VIDEO, "duration_minutes": 30},
        )
        bookable, _ = SelfBookableType.objects.get_or_create(session_type=consult)
        SelfBookingLocation.objects.get_or_create(
            location=location, defaults={"enabled": True, "consult": bookable, "excluded_reasons": ["other"]}
        )
