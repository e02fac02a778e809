"""Clinic admins set each location's rules for changes by link; front desk and clinicians read them.

Nobody reads the links themselves: a row holds only a token's hash and which session it opens.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["visitlinks.view_visitlinkpolicy"]
KEEP = [
    *READ,
    "visitlinks.add_visitlinkpolicy",
    "visitlinks.change_visitlinkpolicy",
    "visitlinks.delete_visitlinkpolicy",
]
ROLES = {"Front desk": READ, "Clinician": READ, "Clinic admin": KEEP}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("visitlinks")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".")[1] for name in names]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="visitlinks", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in KEEP]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="visitlinks", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("visitlinks", "0001_visit_links"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
