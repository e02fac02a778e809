from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .locations import location_limit

if TYPE_CHECKING:  # importing views here at run time would be circular (DRF loads this module)
    from rest_framework.views import APIView

M = TypeVar("M", bound=Model)


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


# --- Locations (accounts/locations.py): a record outside the caller's locations is a 404, as if absent ---


def located_or_404(queryset: QuerySet[M], request: Request | HttpRequest, **lookup: Any) -> M:
    """The record `lookup` names, if the caller's locations let them see it; 404 otherwise, as for a
    record that does not exist."""
    found = location_limit(queryset.filter(**lookup), user=request.user).first()
    if found is None:
        raise Http404
    return found


class LocatedPrimaryKeyField(serializers.PrimaryKeyRelatedField[M]):
    """An id naming a record the caller's locations let them see: another's is refused as a missing one.

    The serializer must be given the request in its context; without it the field refuses to guess.
    """

    def get_queryset(self) -> QuerySet[M]:
        request = self.context.get("request")
        if request is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs the request in the serializer's context to know whose locations apply."
            )
        queryset = super().get_queryset()
        assert queryset is not None  # every located field is given its queryset
        return location_limit(queryset, user=request.user)
