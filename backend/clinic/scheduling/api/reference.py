"""The short lists staff book from: active providers, rooms and session types."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from clinic.accounts.locations import location_limit
from clinic.accounts.permissions import HasRolePermissions

from ..models import Provider, Room, SessionType


class ProviderSerializer(serializers.ModelSerializer[Provider]):
    class Meta:
        model = Provider
        fields = ["id", "display_name", "credentials", "clinic"]
        read_only_fields = fields


class RoomSerializer(serializers.ModelSerializer[Room]):
    class Meta:
        model = Room
        fields = ["id", "name", "is_treatment_chair", "clinic"]
        read_only_fields = fields


class SessionTypeSerializer(serializers.ModelSerializer[SessionType]):
    occupies_minutes = serializers.IntegerField(
        read_only=True, help_text="Duration plus monitoring: how long the provider and room are busy."
    )

    class Meta:
        model = SessionType
        fields = [
            "id",
            "name",
            "slug",
            "clinic",
            "duration_minutes",
            "monitoring_minutes",
            "occupies_minutes",
            "mode",
            "needs_chair",
            "needs_clinician",
            "needs_driver",
            "fasting_hours",
            "preparation_instructions",
            "preparation_translations",
            "reminder_hours",
            "color",
        ]
        read_only_fields = fields


# These lists are short (a clinic's staff and rooms), so they are answered whole, unpaginated; each holds
# only what belongs to the caller's locations.


class LocatedListMixin:
    def get_queryset(self) -> QuerySet[Any]:
        return location_limit(super().get_queryset(), user=self.request.user)  # type: ignore[misc,attr-defined]


class ProviderViewSet(LocatedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Provider]):
    """Providers taking bookings."""

    queryset = Provider.objects.filter(is_active=True).order_by("display_name", "id")
    serializer_class = ProviderSerializer
    pagination_class = None
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": ("scheduling.view_provider",)}


class RoomViewSet(LocatedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Room]):
    """Rooms in use; treatment chairs can host a dosing session."""

    queryset = Room.objects.filter(is_active=True).order_by("name", "id")
    serializer_class = RoomSerializer
    pagination_class = None
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": ("scheduling.view_room",)}


class SessionTypeViewSet(LocatedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet[SessionType]):
    """Session types on offer, with how long each occupies a provider and a room."""

    queryset = SessionType.objects.filter(is_active=True).order_by("name", "id")
    serializer_class = SessionTypeSerializer
    pagination_class = None
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": ("scheduling.view_sessiontype",)}
