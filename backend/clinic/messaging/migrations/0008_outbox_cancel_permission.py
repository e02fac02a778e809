"""Staff cancel pending texts with the change permission, not the view permission.

Front desk may cancel the texts that are theirs (reminders, acknowledgements); the admin refuses
check-ins and pages to anyone but clinicians and clinic admins.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

CANCEL = "messaging.change_outboundmessage"
# What this grants, as every role migration declares it (tests rebuild the roles from these after a flush).
ROLES = {role: [CANCEL] for role in ("Front desk", "Clinician", "Clinic admin")}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("messaging")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    change = Permission.objects.get(content_type__app_label="messaging", codename=CANCEL.split(".")[1])
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(change)


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    change = Permission.objects.filter(content_type__app_label="messaging", codename=CANCEL.split(".")[1])
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*change)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0007_opt_out_phrase_and_shared_number"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
