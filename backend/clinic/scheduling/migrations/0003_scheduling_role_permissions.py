"""Grant the staff roles what scheduling needs: front desk and clinicians book, admins set up the calendar."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

BOOKING = [
    "scheduling.view_appointment",
    "scheduling.add_appointment",
    "scheduling.change_appointment",
    "scheduling.view_calendar",
    "scheduling.view_series",
    "scheduling.add_series",
    "scheduling.view_seriesplan",
    "scheduling.view_workinghours",
    "scheduling.view_timeoff",
]
SETUP = [
    "scheduling.add_workinghours",
    "scheduling.change_workinghours",
    "scheduling.delete_workinghours",
    "scheduling.add_timeoff",
    "scheduling.change_timeoff",
    "scheduling.delete_timeoff",
    "scheduling.add_seriesplan",
    "scheduling.change_seriesplan",
]
ROLES = {"Front desk": BOOKING, "Clinician": BOOKING, "Clinic admin": BOOKING + SETUP}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("scheduling")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".")[1] for name in names]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="scheduling", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in BOOKING + SETUP]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="scheduling", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0002_appointments_series_hours"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
