"""The organization's locations: which are open, and which is nearest to a US ZIP code.

Distances come from the ZIP codes' own centre points (the `zipcodes` package ships them: no outside
service is asked), measured as the crow flies. Good enough to suggest a location on a form, never
to decide anything clinical.
"""

from __future__ import annotations

import functools
import math

import zipcodes
from django.db.models import QuerySet

from .models import Clinic

EARTH_RADIUS_MILES = 3958.8


def locations_open() -> QuerySet[Clinic]:
    return Clinic.objects.filter(is_active=True).order_by("name", "id")


@functools.lru_cache(maxsize=4096)
def zip_point(postcode: str) -> tuple[float, float] | None:
    """A US ZIP code's centre (latitude, longitude), or None if it is not one ("85004-1234" counts as 85004)."""
    code = postcode.strip()[:5]
    if len(code) != 5 or not code.isdigit():
        return None
    try:
        found = zipcodes.matching(code)  # type: ignore[no-untyped-call]
    except (TypeError, ValueError):
        return None
    if not found:
        return None
    return float(found[0]["lat"]), float(found[0]["long"])


def miles_between(one: tuple[float, float], other: tuple[float, float]) -> float:
    """Great-circle distance in miles (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*one, *other))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def location_nearest(postcode: str) -> Clinic | None:
    """The open location nearest to this ZIP code, or None when the code is unknown or no location has one."""
    here = zip_point(postcode)
    if here is None:
        return None
    distances = [
        (miles_between(here, point), location.name, location.pk, location)
        for location in locations_open()
        if (point := zip_point(location.postcode)) is not None
    ]
    return min(distances)[3] if distances else None
