"""Let clinic admins reword the texts the clinic sends."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_messagetemplate", "add_messagetemplate", "change_messagetemplate", "delete_messagetemplate"]
# What this grants, as every role migration declares it (tests rebuild the roles from these after a flush).
ROLES = {"Clinic admin": [f"messaging.{codename}" for codename in CODENAMES]}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("messaging")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Clinic admin")
    Permission = apps.get_model("auth", "Permission")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="messaging", codename__in=CODENAMES))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Clinic admin"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="messaging", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_message_templates"), ("accounts", "0002_staff_roles")]
    operations = [migrations.RunPython(grant, revoke)]
