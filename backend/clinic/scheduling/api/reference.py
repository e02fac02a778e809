"""The short lists staff book from: active providers, rooms and session types, each narrowed to one location
with `?clinic=<location id>`."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.accounts.locations import location_limit
from clinic.accounts.permissions import HasRolePermissions
from clinic.core.models import Clinic

from ..models import Provider, Room, SessionType, WorkingHours
from ..selectors import providers_working_at
from .common import IdField

CLINIC_FILTER = OpenApiParameter(
    "clinic", int, description="Only this location's (for providers: those with working hours there)."
)
REFUSED = OpenApiResponse(description="`clinic` names no location.")


class LocationFilterSerializer(serializers.Serializer[Any]):
    clinic = IdField[Clinic](queryset=Clinic.objects.all(), required=False)


def location_from(request: Request) -> Clinic | None:
    """The location a list is narrowed to, from `?clinic=`; a 400 naming `clinic` when it names none."""
    query = LocationFilterSerializer(data=request.query_params, context={"request": request})
    query.is_valid(raise_exception=True)
    clinic: Clinic | None = query.validated_data.get("clinic")
    return clinic


class ProviderSerializer(serializers.ModelSerializer[Provider]):
    locations = serializers.SerializerMethodField(
        help_text="The locations (ids) where this provider has working hours; `clinic` is their home location."
    )

    class Meta:
        model = Provider
        fields = ["id", "display_name", "credentials", "clinic", "locations"]
        read_only_fields = fields

    def get_locations(self, provider: Provider) -> list[int]:
        return sorted({block.clinic_id for block in provider.working_hours.all()})


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


# These lists are short (a clinic group's staff and rooms), so they are answered whole, unpaginated; each
# holds only what belongs to the caller's locations.


class LocationListMixin:
    """A list answered whole, of what the caller's locations hold, narrowed to one location by `?clinic=`."""

    def get_queryset(self) -> QuerySet[Any]:
        return location_limit(super().get_queryset(), user=self.request.user)  # type: ignore[misc,attr-defined]

    def locate(self, queryset: QuerySet[Any], clinic: Clinic) -> QuerySet[Any]:
        return queryset.filter(clinic=clinic)

    def location_list(self, request: Request) -> Response:
        clinic = location_from(request)
        queryset: QuerySet[Model] = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        if clinic is not None:
            queryset = self.locate(queryset, clinic)
        serializer = self.get_serializer(queryset, many=True)  # type: ignore[attr-defined]
        return Response(serializer.data)


class ProviderViewSet(LocationListMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Provider]):
    """Providers taking bookings; with `?clinic=`, those with working hours at that location."""

    queryset = (
        Provider.objects.filter(is_active=True)
        .prefetch_related(Prefetch("working_hours", queryset=WorkingHours.objects.only("provider_id", "clinic_id")))
        .order_by("display_name", "id")
    )
    serializer_class = ProviderSerializer
    pagination_class = None
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": ("scheduling.view_provider",)}

    @extend_schema(parameters=[CLINIC_FILTER], responses={200: ProviderSerializer(many=True), 400: REFUSED})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.location_list(request)

    def locate(self, queryset: QuerySet[Any], clinic: Clinic) -> QuerySet[Any]:
        return queryset.filter(pk__in=providers_working_at(clinic_id=clinic.pk).values("pk"))


class RoomViewSet(LocationListMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Room]):
    """Rooms in use; treatment chairs can host a dosing session."""

    queryset = Room.objects.filter(is_active=True).order_by("name", "id")
    serializer_class = RoomSerializer
    pagination_class = None
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": ("scheduling.view_room",)}

    @extend_schema(parameters=[CLINIC_FILTER], responses={200: RoomSerializer(many=True), 400: REFUSED})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.location_list(request)


class SessionTypeViewSet(LocationListMixin, mixins.ListModelMixin, viewsets.GenericViewSet[SessionType]):
    """Session types on offer, with how long each occupies a provider and a room."""

    queryset = SessionType.objects.filter(is_active=True).order_by("name", "id")
    serializer_class = SessionTypeSerializer
    pagination_class = None
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": ("scheduling.view_sessiontype",)}

    @extend_schema(parameters=[CLINIC_FILTER], responses={200: SessionTypeSerializer(many=True), 400: REFUSED})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.location_list(request)
