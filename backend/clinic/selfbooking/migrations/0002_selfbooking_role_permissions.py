"""Front desk (and clinicians, who can do all front desk does) read the settings and confirm self-booked
consultations; clinic admins also turn self-booking on."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_SETTINGS = ["selfbooking.view_selfbookabletype", "selfbooking.view_selfbookinglocation"]
BOOKINGS = ["selfbooking.view_selfbooking", "selfbooking.change_selfbooking"]
SETTINGS = [
    "selfbooking.add_selfbookabletype",
    "selfbooking.change_selfbookabletype",
    "selfbooking.delete_selfbookabletype",
    "selfbooking.add_selfbookinglocation",
    "selfbooking.change_selfbookinglocation",
    "selfbooking.delete_selfbookinglocation",
]
ROLES = {
    "Front desk": READ_SETTINGS + BOOKINGS,
    "Clinician": READ_SETTINGS + BOOKINGS,
    "Clinic admin": READ_SETTINGS + BOOKINGS + SETTINGS,
}


def grant(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("selfbooking")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [name.split(".")[1] for name in names]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="selfbooking", codename__in=codenames))


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    codenames = [name.split(".")[1] for name in READ_SETTINGS + BOOKINGS + SETTINGS]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="selfbooking", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("selfbooking", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
