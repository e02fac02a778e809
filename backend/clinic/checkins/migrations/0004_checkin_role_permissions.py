"""Clinicians and clinic admins read check-ins and alerts and acknowledge alerts; front desk sees staff tasks only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

TASKS = ["checkins.view_stafftask", "checkins.change_stafftask"]
CLINICAL = [
    "checkins.view_alert",
    "checkins.change_alert",
    "checkins.view_checkin",
    "checkins.view_checkinanswer",
    "checkins.view_checkinstep",
]
PLANS = ["checkins.add_checkinstep", "checkins.change_checkinstep", "checkins.delete_checkinstep"]
ROLES = {"Front desk": TASKS, "Clinician": TASKS + CLINICAL, "Clinic admin": TASKS + CLINICAL + PLANS}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("checkins")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".")[1] for name in names]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="checkins", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in TASKS + CLINICAL + PLANS]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="checkins", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0003_default_checkin_plans"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
