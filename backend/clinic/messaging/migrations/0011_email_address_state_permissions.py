"""Staff see the email suppression list as they see the phone one; front desk and up record unsubscribes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW, CHANGE = "messaging.view_emailaddressstate", "messaging.change_emailaddressstate"
# What this grants, as every role migration declares it (tests rebuild the roles from these after a flush).
ROLES = {role: [VIEW, CHANGE] for role in ("Front desk", "Clinician", "Clinic admin")}


def _codenames() -> list[str]:
    return [VIEW.split(".")[1], CHANGE.split(".")[1]]


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("messaging")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="messaging", codename__in=_codenames())
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="messaging", codename__in=_codenames())
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0010_outbox_email_channel"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
