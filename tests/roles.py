"""The staff roles as their migrations define them, for tests that run after a transactional test.

A transactional test empties every table when it ends, groups included, and the migrations that
created the roles do not run again. Tests rebuild the groups from the same definitions.
"""

from __future__ import annotations

import importlib

from django.contrib.auth.models import Group, Permission

# Each module defines ROLES: {group name: ["app_label.codename", ...]}.
ROLE_MIGRATIONS = (
    "clinic.accounts.migrations.0002_staff_roles",
    "clinic.scheduling.migrations.0003_scheduling_role_permissions",
    "clinic.checkins.migrations.0004_checkin_role_permissions",
    "clinic.checkins.migrations.0006_alert_page_hold_permissions",
    "clinic.oncall.migrations.0002_on_call_role_permissions",
)
# This one grants clinic admins its CODENAMES in the messaging app.
MESSAGING_ADMIN_MIGRATION = "clinic.messaging.migrations.0003_message_template_permissions"


def _grant(role: str, names: list[str]) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    for name in names:
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def roles_ensure() -> None:
    """Create the role groups with their permissions if a flush removed them."""
    if Group.objects.filter(name="Clinic admin", permissions__isnull=False).exists():
        return
    for module_name in ROLE_MIGRATIONS:
        for role, names in importlib.import_module(module_name).ROLES.items():
            _grant(role, names)
    messaging = importlib.import_module(MESSAGING_ADMIN_MIGRATION)
    _grant("Clinic admin", [f"messaging.{codename}" for codename in messaging.CODENAMES])
