"""Self-booking by location (accounts/locations.py): settings by their location, bookings by their inquiry."""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register
from clinic.intake.models import Inquiry


def _type_scope(reader: Reader) -> Q:
    return Q(session_type__clinic_id__in=reader.location_ids)


def _location_scope(reader: Reader) -> Q:
    return Q(location_id__in=reader.location_ids)


def _inquiry_part_scope(reader: Reader) -> Q:
    return Q(inquiry__in=reader.visible(Inquiry.objects.all()))


def location_scopes_register() -> None:
    location_scope_register(model="selfbooking.selfbookabletype", scope=_type_scope)
    location_scope_register(model="selfbooking.selfbookinglocation", scope=_location_scope)
    location_scope_register(model="selfbooking.selfbookingoffer", scope=_inquiry_part_scope)
    location_scope_register(model="selfbooking.selfbooking", scope=_inquiry_part_scope)
