"""Every role reads which session types are REMS sessions and ticks a patient's REMS enrollment; clinicians
and clinic admins read and write monitoring records (clinical: front desk sees none, not even the tracker);
clinic admins mark session types and set each location's limits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

EVERYONE = [
    "rems.view_remssessiontype",
    "rems.view_remslocationsettings",
    "rems.view_remsenrollment",
    "rems.add_remsenrollment",
    "rems.change_remsenrollment",
]
RECORDS = ["rems.view_monitoringrecord", "rems.add_monitoringrecord", "rems.change_monitoringrecord"]
SETUP = [
    "rems.add_remssessiontype",
    "rems.change_remssessiontype",
    "rems.delete_remssessiontype",
    "rems.add_remslocationsettings",
    "rems.change_remslocationsettings",
    "rems.delete_remsenrollment",
]
ROLES = {"Front desk": EVERYONE, "Clinician": EVERYONE + RECORDS, "Clinic admin": EVERYONE + RECORDS + SETUP}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("rems")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".")[1] for name in names]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="rems", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in EVERYONE + RECORDS + SETUP]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="rems", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("rems", "0001_rems_records"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
