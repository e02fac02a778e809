"""The three staff roles. Each is a Django group; its permissions are granted by migrations."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

FRONT_DESK = "Front desk"
CLINICIAN = "Clinician"
CLINIC_ADMIN = "Clinic admin"

ROLES = (FRONT_DESK, CLINICIAN, CLINIC_ADMIN)


def user_roles(user: User | AnonymousUser) -> list[str]:
    if not user.is_authenticated:
        return []
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in ROLES if role in names]
