"""REMS records by location (accounts/locations.py): each follows what it is about.

A monitoring record follows its session (the session's location, or the reader as its provider); an
enrollment its patient; a REMS session type its session type; a location's settings the location.
"""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, SessionType


def _record_scope(reader: Reader) -> Q:
    return Q(appointment__in=reader.visible(Appointment.objects.all()))


def _enrollment_scope(reader: Reader) -> Q:
    return Q(patient__in=reader.visible(Patient.objects.all()))


def _session_type_scope(reader: Reader) -> Q:
    return Q(session_type__in=reader.visible(SessionType.objects.all()))


def _settings_scope(reader: Reader) -> Q:
    return Q(clinic_id__in=reader.location_ids)


def location_scopes_register() -> None:
    location_scope_register(model="rems.monitoringrecord", scope=_record_scope)
    location_scope_register(model="rems.remsenrollment", scope=_enrollment_scope)
    location_scope_register(model="rems.remssessiontype", scope=_session_type_scope)
    location_scope_register(model="rems.remslocationsettings", scope=_settings_scope)
