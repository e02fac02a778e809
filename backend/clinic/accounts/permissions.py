from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:  # importing views here at run time would be circular (DRF loads this module)
    from rest_framework.views import APIView


def _is_staff(request: Request) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class IsStaffMember(BasePermission):
    """Any signed-in, active staff account (the default for every API view)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _is_staff(request)


class HasRolePermissions(BasePermission):
    """Staff whose roles grant every Django permission the view lists for this action.

    A view declares `required_permissions`, keyed by viewset action (or HTTP method for plain
    views). An action missing from the map is refused, so a new action is closed until listed.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not _is_staff(request):
            return False
        required: dict[str, tuple[str, ...]] = getattr(view, "required_permissions", {})
        key = getattr(view, "action", None) or request.method or ""
        if key not in required:
            return False
        return request.user.has_perms(required[key])
