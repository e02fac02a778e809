"""Clinic admins run the organization: its record, its locations, and where each staff member works.

Front desk and clinicians read the locations (those they work at, when limited: accounts/locations.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_LOCATIONS = ["core.view_clinic"]
RUN_ORGANIZATION = [
    *VIEW_LOCATIONS,
    "core.add_clinic",
    "core.view_organization",
    "core.add_organization",
    "core.change_organization",
    "accounts.view_stafflocation",
    "accounts.add_stafflocation",
    "accounts.change_stafflocation",
    "accounts.delete_stafflocation",
]
# What this grants, as every role migration declares it (tests rebuild the roles from these after a flush).
ROLES = {"Front desk": VIEW_LOCATIONS, "Clinician": VIEW_LOCATIONS, "Clinic admin": RUN_ORGANIZATION}


def _permissions(apps: Any, names: list[str]) -> list[Any]:
    Permission = apps.get_model("auth", "Permission")
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def grant(apps: Any, schema_editor: Any) -> None:
    # Permissions are normally created after migrations run; create them now so they can be granted.
    for label in ("core", "accounts"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(*_permissions(apps, ROLES[group.name]))


def revoke(apps: Any, schema_editor: Any) -> None:
    added = [name for name in RUN_ORGANIZATION if name not in VIEW_LOCATIONS]  # viewing locations came before
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*_permissions(apps, added))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_staff_locations"),
        ("core", "0002_locations_and_organization"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
