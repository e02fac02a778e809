"""Front desk and above keep the waitlist (scheduling data, not clinical): they add and remove entries and
read the freed times and offers; clinic admins also set each location's waitlist settings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

KEEP_LIST = [
    "waitlist.view_waitlistentry",
    "waitlist.add_waitlistentry",
    "waitlist.change_waitlistentry",
    "waitlist.view_freedslot",
    "waitlist.view_waitlistoffer",
    "waitlist.view_waitlistsettings",
]
SETTINGS = [*KEEP_LIST, "waitlist.add_waitlistsettings", "waitlist.change_waitlistsettings"]
ROLES = {"Front desk": KEEP_LIST, "Clinician": KEEP_LIST, "Clinic admin": SETTINGS}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("waitlist")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".")[1] for name in names]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="waitlist", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in SETTINGS]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="waitlist", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("waitlist", "0001_waitlist"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
