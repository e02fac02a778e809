"""Induction series: list the plans, propose a plan's dates, book them all or none, read one back."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
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
from clinic.patients.models import Patient

from ..models import Appointment, Provider, Room, Series, SeriesPlan
from ..selectors import provider_works_at
from ..series import SeriesSession, series_book, series_propose
from .appointments import CONFLICT, REFUSED, AppointmentSerializer
from .common import (
    AnswersBookingConflicts,
    IdField,
    LocalDateField,
    LocalDateTimeField,
    LocationDateTimeField,
    PatientBriefSerializer,
    SessionTypeBriefSerializer,
)

# A plan with more sessions than this is not a plan; the bound keeps a request's work small.
MAX_SESSIONS = 100


class SeriesPlanSerializer(serializers.ModelSerializer[SeriesPlan]):
    session_type = SessionTypeBriefSerializer(read_only=True)

    class Meta:
        model = SeriesPlan
        fields = ["id", "name", "session_type", "sessions", "min_gap_hours", "max_span_days"]
        read_only_fields = fields


class SeriesPlanBriefSerializer(serializers.ModelSerializer[SeriesPlan]):
    class Meta:
        model = SeriesPlan
        fields = ["id", "name"]


class _PlanPatientProvider(serializers.Serializer[Any]):
    plan = IdField[SeriesPlan](queryset=SeriesPlan.objects.select_related("clinic", "session_type__clinic"))
    patient = IdField[Patient](queryset=Patient.objects.all())
    provider = IdField[Provider](queryset=Provider.objects.all())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        plan: SeriesPlan = attrs["plan"]
        if not plan.is_active:
            raise serializers.ValidationError({"plan": "This plan is no longer offered."})
        return attrs


class ProposeSerializer(_PlanPatientProvider):
    first_day = LocalDateField(help_text="The first local day the series may start (YYYY-MM-DD).")
    preferred_time = serializers.TimeField(
        required=False, allow_null=True, help_text="Local time of day to aim for, e.g. 09:30."
    )
    room = IdField[Room](queryset=Room.objects.all(), required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        plan: SeriesPlan = attrs["plan"]
        provider: Provider = attrs["provider"]
        room: Room | None = attrs.get("room")
        # Proposing for a provider or room the booking would refuse only wastes the caller's time.
        if not provider.is_active:
            raise serializers.ValidationError({"provider": "This provider is not taking bookings."})
        if not provider_works_at(provider=provider, clinic_id=plan.session_type.clinic_id):
            raise serializers.ValidationError(
                {"provider": f"{provider.display_name} has no working hours at {plan.session_type.clinic.name}."}
            )
        if room is not None and room.clinic_id != plan.session_type.clinic_id:
            raise serializers.ValidationError({"room": "This room belongs to another location."})
        return attrs


class ProposedSessionSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    starts_at = LocalDateTimeField()
    ends_at = LocalDateTimeField()
    room = serializers.IntegerField(source="room_id", allow_null=True)


class ProposalSerializer(serializers.Serializer[Any]):
    plan = serializers.IntegerField()
    clinic = serializers.IntegerField(help_text="The location the plan's sessions happen at.")
    time_zone = serializers.CharField(help_text="The location's zone; the times are given in it, with their offset.")
    sessions = ProposedSessionSerializer(many=True, help_text="Send these back (starts_at, room) to book them.")


class SeriesSessionSerializer(serializers.Serializer[Any]):
    starts_at = LocalDateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-12-07T09:00:00-05:00.")
    room = IdField[Room](queryset=Room.objects.all(), required=False, allow_null=True)


class SeriesCreateSerializer(_PlanPatientProvider):
    sessions = serializers.ListSerializer[Any](
        child=SeriesSessionSerializer(), allow_empty=False, max_length=MAX_SESSIONS
    )


def series_timezone(series: Series) -> zoneinfo.ZoneInfo:
    """The zone of the location a series' sessions happen at (its plan's session type's)."""
    return clinic_timezone(series.plan.session_type.clinic)


class SeriesSerializer(serializers.ModelSerializer[Series]):
    plan = SeriesPlanBriefSerializer(read_only=True)
    patient = PatientBriefSerializer(read_only=True)
    created_at = LocationDateTimeField(zone_of=series_timezone, read_only=True)
    appointments = AppointmentSerializer(many=True, read_only=True)

    class Meta:
        model = Series
        fields = ["id", "plan", "patient", "created_at", "appointments"]
        read_only_fields = fields


class SeriesPlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[SeriesPlan]):
    """The series plans on offer (e.g. six IV sessions within 21 days)."""

    queryset = SeriesPlan.objects.filter(is_active=True).select_related("session_type").order_by("name", "id")
    serializer_class = SeriesPlanSerializer
    pagination_class = None  # a handful of plans; a booking screen wants them all
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": ("scheduling.view_seriesplan",)}

    def get_queryset(self) -> QuerySet[SeriesPlan]:
        return location_limit(super().get_queryset(), user=self.request.user)


class SeriesViewSet(AnswersBookingConflicts, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Series]):
    """Book a plan's sessions as one series: propose the dates, then book them all or none."""

    queryset = Series.objects.all()
    lookup_value_converter = "int"
    serializer_class = SeriesSerializer
    permission_classes = [HasRolePermissions]
    required_permissions = {
        "retrieve": ("scheduling.view_series", "scheduling.view_appointment", "patients.view_patient"),
        "create": ("scheduling.add_series", "scheduling.add_appointment", "patients.view_patient"),
        "propose": ("scheduling.add_series", "scheduling.view_seriesplan", "patients.view_patient"),
    }

    def get_queryset(self) -> QuerySet[Series]:
        appointments = Appointment.objects.select_related("patient", "provider", "room", "session_type__clinic")
        # A series and its sessions as the caller's locations let them see (a clinician: their own sessions).
        appointments = location_limit(appointments, user=self.request.user)
        series = Series.objects.select_related("plan__session_type__clinic", "patient").prefetch_related(
            Prefetch("appointments", queryset=appointments.order_by("starts_at", "id"))
        )
        return location_limit(series, user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "tz": clinic_timezone()}

    def _actor(self) -> Actor:
        return Actor.from_request(self.request)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        series = self.get_object()
        audit_by(self._actor(), action=AuditEvent.Action.VIEW, target=series)
        return Response(SeriesSerializer(series, context=self.get_serializer_context()).data)

    @extend_schema(
        request=SeriesCreateSerializer,
        responses={201: SeriesSerializer, 400: REFUSED, 409: CONFLICT},
        description="Book every session, or none: one refused or taken time writes nothing.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SeriesCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        series, _ = series_book(
            actor=self._actor(),
            plan=data["plan"],
            patient=data["patient"],
            provider=data["provider"],
            sessions=[
                SeriesSession(starts_at=session["starts_at"], room=session.get("room")) for session in data["sessions"]
            ],
        )
        answer = SeriesSerializer(self.get_queryset().get(pk=series.pk), context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProposeSerializer,
        responses={
            200: ProposalSerializer,
            400: OpenApiResponse(description="A field is wrong, or the plan does not fit: one message per field."),
        },
        description="Propose the plan's dates from a first day; nothing is booked.",
    )
    @action(detail=False, methods=["post"])
    def propose(self, request: Request) -> Response:
        payload = ProposeSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        plan: SeriesPlan = data["plan"]
        sessions = series_propose(
            plan=plan,
            patient=data["patient"],
            provider=data["provider"],
            first_day=data["first_day"],
            preferred_time=data.get("preferred_time"),
            room=data.get("room"),
        )
        tz = clinic_timezone(plan.session_type.clinic)
        answer = {"plan": plan.pk, "clinic": plan.session_type.clinic_id, "time_zone": tz.key, "sessions": sessions}
        return Response(ProposalSerializer(answer, context={"tz": tz}).data)
