"""Visit links and policies by location (accounts/locations.py): a link follows its session, a policy its location."""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register
from clinic.scheduling.models import Appointment


def _link_scope(reader: Reader) -> Q:
    return Q(appointment__in=reader.visible(Appointment.objects.all()))


def _policy_scope(reader: Reader) -> Q:
    return Q(clinic_id__in=reader.location_ids)


def location_scopes_register() -> None:
    location_scope_register(model="visitlinks.visitlink", scope=_link_scope)
    location_scope_register(model="visitlinks.visitlinkpolicy", scope=_policy_scope)
