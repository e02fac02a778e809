"""Appointments: the calendar's list and detail, booking, and each step of a session's life.

Each session's times are written in its location's zone (the session type's), with their offset, and
the session names its location (`clinic`) and that zone (`clinic_timezone`): a list may mix locations.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.accounts.actor import Actor
from clinic.accounts.locations import location_limit
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_timezone
from clinic.core.models import Clinic
from clinic.patients.models import Patient

from .. import services
from ..models import Appointment, Provider, Room, SessionType
from ..session_time import appointment_timezone
from .common import (
    AnswersBookingConflicts,
    ConflictSerializer,
    IdField,
    LocalDateField,
    LocalDateTimeField,
    LocationDateTimeField,
    PatientBriefSerializer,
    ProviderBriefSerializer,
    RoomBriefSerializer,
    SessionTypeBriefSerializer,
    local_day_start,
)

READ = ("scheduling.view_appointment", "patients.view_patient")
BOOK = (*READ, "scheduling.add_appointment")
CHANGE = (*READ, "scheduling.change_appointment")

REFUSED = OpenApiResponse(description="A field is wrong or a rule refuses it: one message per field.")
CONFLICT = OpenApiResponse(ConflictSerializer, description="The time is taken: what is busy, and when.")


class AppointmentSerializer(serializers.ModelSerializer[Appointment]):
    patient = PatientBriefSerializer(read_only=True)
    provider = ProviderBriefSerializer(read_only=True)
    room = RoomBriefSerializer(read_only=True, allow_null=True)
    session_type = SessionTypeBriefSerializer(read_only=True)
    clinic = serializers.IntegerField(
        source="session_type.clinic_id", read_only=True, help_text="The location (the session type's)."
    )
    clinic_timezone = serializers.CharField(
        source="session_type.clinic.timezone",
        read_only=True,
        help_text="The location's time zone: every time of this session is written in it, with its offset.",
    )
    starts_at = LocationDateTimeField(zone_of=appointment_timezone, read_only=True)
    ends_at = LocationDateTimeField(
        zone_of=appointment_timezone, read_only=True, help_text="Start + duration + monitoring."
    )
    created_at = LocationDateTimeField(zone_of=appointment_timezone, read_only=True)
    updated_at = LocationDateTimeField(zone_of=appointment_timezone, read_only=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text=(
            "Statuses the session can move to now (each has its own action): confirm or cancel before the "
            "start, check in on the session's day (location time), complete or no-show after the start."
        )
    )
    can_reschedule = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "patient",
            "provider",
            "room",
            "session_type",
            "clinic",
            "clinic_timezone",
            "starts_at",
            "ends_at",
            "status",
            "cancellation_reason",
            "series",
            "series_position",
            "driver_confirmed",
            "allowed_transitions",
            "can_reschedule",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, appointment: Appointment) -> list[str]:
        # Offered only what the service would accept now: the status table and the clock's rules.
        now = timezone.now()
        allowed = services.ALLOWED_TRANSITIONS[appointment.status]
        return [to for to in allowed if not services.appointment_transition_problem(appointment, to, now=now)]

    def get_can_reschedule(self, appointment: Appointment) -> bool:
        return not services.appointment_reschedule_problem(appointment)


class AppointmentFilterSerializer(serializers.Serializer[Any]):
    clinic = IdField[Clinic](queryset=Clinic.objects.all(), required=False)
    provider = IdField[Provider](queryset=Provider.objects.all(), required=False)
    room = IdField[Room](queryset=Room.objects.all(), required=False)
    patient = IdField[Patient](queryset=Patient.objects.all(), required=False)
    status = serializers.ChoiceField(choices=Appointment.Status.choices, required=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # `from` is a Python keyword, so these two cannot be declared as class attributes.
        fields["from"] = LocalDateField(required=False)
        fields["to"] = LocalDateField(required=False)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "from" in attrs and "to" in attrs and attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": "Must be the same day as `from` or later."})
        return attrs


class AppointmentCreateSerializer(serializers.Serializer[Any]):
    patient = IdField[Patient](queryset=Patient.objects.all())
    provider = IdField[Provider](queryset=Provider.objects.all())
    session_type = IdField[SessionType](queryset=SessionType.objects.all())
    starts_at = LocalDateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-12-07T09:00:00-05:00.")
    room = IdField[Room](
        queryset=Room.objects.all(),
        required=False,
        allow_null=True,
        help_text="Leave out for a chair session to take the first free treatment chair.",
    )


class RescheduleSerializer(serializers.Serializer[Any]):
    starts_at = LocalDateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-12-07T09:00:00-05:00.")
    provider = IdField[Provider](
        queryset=Provider.objects.all(), required=False, allow_null=True, help_text="Leave out to keep the provider."
    )
    room = IdField[Room](
        queryset=Room.objects.all(), required=False, allow_null=True, help_text="Leave out to keep the room."
    )


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200, help_text="Why the session is cancelled (staff-facing).")


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("patient", "provider", "room", "session_type__clinic")


def _on_local_days(queryset: QuerySet[Appointment], filters: dict[str, Any]) -> QuerySet[Appointment]:
    """Sessions from local day `from` to `to` (both included), each location's days in its own zone."""
    if "from" not in filters and "to" not in filters:
        return queryset
    clinic: Clinic | None = filters.get("clinic")
    names = [clinic.timezone] if clinic else sorted(set(Clinic.objects.values_list("timezone", flat=True)))
    within = Q(pk__in=[])
    for name in names:
        tz = zoneinfo.ZoneInfo(name)
        days = Q() if clinic else Q(session_type__clinic__timezone=name)
        if "from" in filters:
            days &= Q(starts_at__gte=local_day_start(filters["from"], tz))
        if "to" in filters:
            days &= Q(starts_at__lt=local_day_start(filters["to"] + datetime.timedelta(days=1), tz))
        within |= days
    return queryset.filter(within)


def _appointments_matching(filters: dict[str, Any]) -> QuerySet[Appointment]:
    """The calendar between two local days (both included), narrowed by location, provider, room, patient, status."""
    queryset = _appointments().order_by("starts_at", "id")
    if "clinic" in filters:
        queryset = queryset.filter(session_type__clinic=filters["clinic"])
    queryset = _on_local_days(queryset, filters)
    for name in ("provider", "room", "patient", "status"):
        if name in filters:
            queryset = queryset.filter(**{name: filters[name]})
    return queryset


class AppointmentViewSet(
    AnswersBookingConflicts,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Appointment],
):
    """The sessions of every location. Each session's times are answered in its location's zone, with their offset."""

    queryset = Appointment.objects.all()
    lookup_value_converter = "int"
    serializer_class = AppointmentSerializer
    permission_classes = [HasRolePermissions]
    required_permissions = {
        "list": READ,
        "retrieve": READ,
        "create": BOOK,
        "reschedule": CHANGE,
        "cancel": CHANGE,
        "confirm": CHANGE,
        "check_in": CHANGE,
        "complete": CHANGE,
        "no_show": CHANGE,
    }

    def get_queryset(self) -> QuerySet[Appointment]:
        return location_limit(_appointments(), user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "tz": clinic_timezone()}

    def _actor(self) -> Actor:
        return Actor.from_request(self.request)

    def _answer(self, appointment: Appointment, code: int = status.HTTP_200_OK) -> Response:
        fresh = _appointments().get(pk=appointment.pk)
        return Response(AppointmentSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="First local day (YYYY-MM-DD), included: each location's day in its own zone.",
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last local day (YYYY-MM-DD), included."),
            OpenApiParameter("clinic", int, description="Only this location's sessions."),
            OpenApiParameter("provider", int),
            OpenApiParameter("room", int),
            OpenApiParameter("patient", int),
            OpenApiParameter("status", str, enum=Appointment.Status.values),
        ],
        responses={200: AppointmentSerializer(many=True), 400: REFUSED},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = AppointmentFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        queryset = location_limit(_appointments_matching(dict(filters.validated_data)), user=request.user)
        page = self.paginate_queryset(queryset)
        items = page if page is not None else list(queryset)
        audit_by(
            self._actor(),
            action=AuditEvent.Action.LIST,
            target_type=Appointment._meta.label,
            detail=f"{len(items)} appointments listed",
        )
        data = AppointmentSerializer(items, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        appointment = self.get_object()
        audit_by(self._actor(), action=AuditEvent.Action.VIEW, target=appointment)
        return Response(AppointmentSerializer(appointment, context=self.get_serializer_context()).data)

    @extend_schema(
        request=AppointmentCreateSerializer,
        responses={201: AppointmentSerializer, 400: REFUSED, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AppointmentCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        appointment = services.appointment_book(
            actor=self._actor(),
            booking=services.Booking(
                patient=data["patient"],
                provider=data["provider"],
                session_type=data["session_type"],
                starts_at=data["starts_at"],
                room=data.get("room"),
            ),
        )
        return self._answer(appointment, status.HTTP_201_CREATED)

    @extend_schema(
        request=RescheduleSerializer,
        responses={200: AppointmentSerializer, 400: REFUSED, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: int) -> Response:
        appointment = self.get_object()
        payload = RescheduleSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        appointment = services.appointment_reschedule(
            actor=self._actor(),
            appointment=appointment,
            starts_at=data["starts_at"],
            provider=data.get("provider"),
            room=data.get("room"),
        )
        return self._answer(appointment)

    @extend_schema(request=CancelSerializer, responses={200: AppointmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        appointment = self.get_object()
        payload = CancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            actor=self._actor(), appointment=appointment, reason=payload.validated_data["reason"]
        )
        return self._answer(appointment)

    def _move(self, operation: Callable[..., Appointment]) -> Response:
        return self._answer(operation(actor=self._actor(), appointment=self.get_object()))

    @extend_schema(request=None, responses={200: AppointmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: int) -> Response:
        return self._move(services.appointment_confirm)

    @extend_schema(request=None, responses={200: AppointmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: int) -> Response:
        return self._move(services.appointment_check_in)

    @extend_schema(request=None, responses={200: AppointmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        return self._move(services.appointment_complete)

    @extend_schema(request=None, responses={200: AppointmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: Request, pk: int) -> Response:
        return self._move(services.appointment_mark_no_show)
