"""On-call shifts by location: a shift covering one location, or every location (accounts/locations.py).

The clinicians on the rota belong to no location: who may be paged is the role's to read.
"""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register


def _shift_scope(reader: Reader) -> Q:
    return Q(clinic_id__in=reader.location_ids) | Q(clinic__isnull=True)


def location_scopes_register() -> None:
    location_scope_register(model="oncall.oncallshift", scope=_shift_scope)
