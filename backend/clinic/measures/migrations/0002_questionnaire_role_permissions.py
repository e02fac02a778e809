"""Clinicians and clinic admins read questionnaires and send one now; clinic admins edit the plans; front desk
reads the plans only (no answers, no scores)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

PLANS_READ = ["measures.view_measureplan"]
CLINICAL = ["measures.view_questionnaireassignment", "measures.add_questionnaireassignment"]
PLANS_EDIT = ["measures.add_measureplan", "measures.change_measureplan", "measures.delete_measureplan"]
ROLES = {
    "Front desk": PLANS_READ,
    "Clinician": PLANS_READ + CLINICAL,
    "Clinic admin": PLANS_READ + CLINICAL + PLANS_EDIT,
}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("measures")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".")[1] for name in names]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="measures", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in PLANS_READ + CLINICAL + PLANS_EDIT]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="measures", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0001_questionnaires"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
