"""Questionnaires by location (accounts/locations.py): a questionnaire follows its patient; a plan its session type."""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register
from clinic.patients.models import Patient
from clinic.scheduling.models import SessionType


def _visible_patients(reader: Reader) -> Q:
    return Q(patient__in=reader.visible(Patient.objects.all()))


def _plan_scope(reader: Reader) -> Q:
    return Q(session_type__in=reader.visible(SessionType.objects.all()))


def location_scopes_register() -> None:
    location_scope_register(model="measures.questionnaireassignment", scope=_visible_patients)
    location_scope_register(model="measures.measureplan", scope=_plan_scope)
