"""Staff see the email suppression list as they see the phone one; clinic admins correct it, as with numbers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW, CHANGE = "messaging.view_emailaddressstate", "messaging.change_emailaddressstate"
# What this grants, as every role migration declares it (tests rebuild the roles from these after a flush).
ROLES = {"Front desk": [VIEW], "Clinician": [VIEW], "Clinic admin": [VIEW, CHANGE]}


def _permissions(apps: Any, names: list[str]) -> Any:
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="messaging", codename__in=[name.split(".")[1] for name in names]
    )


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("messaging")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(*_permissions(apps, ROLES[group.name]))


def revoke(apps: Any, schema_editor: Any) -> None:
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*_permissions(apps, ROLES[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0010_outbox_email_channel"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
