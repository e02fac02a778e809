"""Which patients belong to a staff member's locations: here, by their home location (accounts/locations.py).

Apps above add the other ways in: a session there or with the reader as provider (scheduling), an inquiry
converted there (intake), a page about their alert (checkins).
"""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register


def _patient_home_scope(reader: Reader) -> Q:
    return Q(clinic_id__in=reader.location_ids)


def location_scopes_register() -> None:
    location_scope_register(model="patients.patient", scope=_patient_home_scope)
