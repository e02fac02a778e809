"""The waitlist by location (accounts/locations.py): settings, freed slots and offers follow the location;
an entry follows its session type's location (where the patient would be seen)."""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register


def _location_scope(reader: Reader) -> Q:
    return Q(clinic_id__in=reader.location_ids)


def _entry_scope(reader: Reader) -> Q:
    return Q(session_type__clinic_id__in=reader.location_ids)


def _offer_scope(reader: Reader) -> Q:
    return Q(slot__clinic_id__in=reader.location_ids)


def location_scopes_register() -> None:
    location_scope_register(model="waitlist.waitlistsettings", scope=_location_scope)
    location_scope_register(model="waitlist.freedslot", scope=_location_scope)
    location_scope_register(model="waitlist.waitlistentry", scope=_entry_scope)
    location_scope_register(model="waitlist.waitlistoffer", scope=_offer_scope)
