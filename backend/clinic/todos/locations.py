"""Staff tasks by location: a task is about a patient, and follows that patient (accounts/locations.py)."""

from __future__ import annotations

from django.db.models import Q

from clinic.accounts.locations import Reader, location_scope_register
from clinic.patients.models import Patient


def _staff_task_scope(reader: Reader) -> Q:
    return Q(patient__in=reader.visible(Patient.objects.all()))


def location_scopes_register() -> None:
    location_scope_register(model="todos.stafftask", scope=_staff_task_scope)
