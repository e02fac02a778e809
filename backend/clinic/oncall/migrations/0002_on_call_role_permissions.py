"""Clinic admins keep the rota; clinicians read it; front desk sees who is on call when."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_SHIFTS = ["oncall.view_oncallshift"]
READ = [*READ_SHIFTS, "oncall.view_oncallclinician"]
KEEP = [
    *READ,
    "oncall.add_oncallclinician",
    "oncall.change_oncallclinician",
    "oncall.delete_oncallclinician",
    "oncall.add_oncallshift",
    "oncall.change_oncallshift",
    "oncall.delete_oncallshift",
]
ROLES = {"Front desk": READ_SHIFTS, "Clinician": READ, "Clinic admin": KEEP}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("oncall")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".")[1] for name in names]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="oncall", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in KEEP]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="oncall", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("oncall", "0001_on_call_rota"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
