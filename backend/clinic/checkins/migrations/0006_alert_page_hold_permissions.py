"""Clinicians and clinic admins read an alert's paging history and resume check-ins held after a crisis."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICAL = ["checkins.view_alertpage", "checkins.view_checkinhold", "checkins.change_checkinhold"]
ROLES = {"Clinician": CLINICAL, "Clinic admin": CLINICAL}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("checkins")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in CLINICAL]
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="checkins", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in CLINICAL]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="checkins", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0005_alert_pages_and_checkin_holds"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
