"""Staff calendar API: a location's local day's schedule, and each provider's iCalendar feed."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.actor import Actor
from clinic.accounts.locations import location_limit, staff_location_ids
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions, located_or_404
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_timezone
from clinic.core.models import Clinic

from . import calendar, ical
from .locations import day_schedule_limit, schedule_filters_visible
from .models import Appointment, Provider

VIEW_CALENDAR = ("scheduling.view_calendar",)


class LocalDateTimeField(serializers.DateTimeField):
    """An aware time shown with the offset it carries (its location's), not converted to UTC."""

    def to_representation(self, value: datetime.datetime) -> str:
        return value.isoformat()


class RefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SessionTypeRefSerializer(RefSerializer):
    color = serializers.CharField()


class ScheduleBlockSerializer(serializers.Serializer[Any]):
    appointment_id = serializers.IntegerField()
    starts_at = LocalDateTimeField()
    session_ends_at = LocalDateTimeField(help_text="End of the session proper; monitoring follows until ends_at.")
    ends_at = LocalDateTimeField(help_text="End of monitoring: the provider and room are busy until then.")
    status = serializers.ChoiceField(choices=Appointment.Status.choices)
    status_label = serializers.CharField()
    session_type = serializers.SerializerMethodField()
    provider = serializers.SerializerMethodField()
    room = serializers.SerializerMethodField()
    patient = serializers.SerializerMethodField()
    series_position = serializers.IntegerField(allow_null=True)
    clinic = serializers.IntegerField(source="clinic_id", help_text="The session's location.")
    timezone = serializers.CharField(help_text="The location's zone: this session's times are written in it.")

    @extend_schema_field(SessionTypeRefSerializer)
    def get_session_type(self, block: calendar.ScheduleBlock) -> dict[str, Any]:
        return {"id": block.session_type_id, "name": block.session_type_name, "color": block.color}

    @extend_schema_field(RefSerializer)
    def get_provider(self, block: calendar.ScheduleBlock) -> dict[str, Any]:
        return {"id": block.provider_id, "name": block.provider_name}

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_room(self, block: calendar.ScheduleBlock) -> dict[str, Any] | None:
        return None if block.room_id is None else {"id": block.room_id, "name": block.room_name}

    @extend_schema_field(RefSerializer)
    def get_patient(self, block: calendar.ScheduleBlock) -> dict[str, Any]:
        return {"id": block.patient_id, "name": block.patient_name}


class ScheduleColumnSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True, help_text="Null for the room column of sessions without a room.")
    name = serializers.CharField()
    appointments = ScheduleBlockSerializer(many=True, source="blocks")


class DayScheduleSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(source="day")
    clinic = serializers.SerializerMethodField(help_text="The location shown; null: every location.")
    timezone = serializers.CharField(help_text="The zone the day is read in (the location's).")
    starts_at = LocalDateTimeField(help_text="Local midnight that opens the day.")
    ends_at = LocalDateTimeField(help_text="The next local midnight (a day is 23 to 25 hours around DST changes).")
    providers = ScheduleColumnSerializer(many=True)
    rooms = ScheduleColumnSerializer(many=True)

    def get_clinic(self, schedule: calendar.DaySchedule) -> int | None:
        return schedule.clinic.pk if schedule.clinic is not None else None


class DayScheduleQuerySerializer(serializers.Serializer[Any]):
    date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    clinic = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    provider = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    room = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def validate_date(self, value: datetime.date) -> datetime.date:
        if not calendar.FIRST_DAY <= value <= calendar.LAST_DAY:
            raise serializers.ValidationError(
                f"Choose a date from {calendar.FIRST_DAY.isoformat()} to {calendar.LAST_DAY.isoformat()}."
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = calendar.schedule_filters_exist(
            provider_id=attrs.get("provider"), room_id=attrs.get("room"), clinic_id=attrs.get("clinic")
        )
        if not errors:
            # Another location (or its provider or room) is named as one that does not exist.
            user = self.context["request"].user
            errors = schedule_filters_visible(provider_id=attrs.get("provider"), room_id=attrs.get("room"), user=user)
            allowed = staff_location_ids(user)
            if attrs.get("clinic") is not None and allowed is not None and attrs["clinic"] not in allowed:
                errors["clinic"] = "No location has this id."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CalendarDayView(APIView):
    """GET one local day's sessions (scheduled to completed) of a location, by provider and by room."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": VIEW_CALENDAR}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "date", OpenApiTypes.DATE, description="YYYY-MM-DD; default today, in the location's time zone."
            ),
            OpenApiParameter(
                "clinic",
                int,
                description="The location: its day, in its zone. Leave out for every location's sessions "
                "(the day read in the first location's zone; each session keeps its own zone).",
            ),
            OpenApiParameter("provider", int, description="Only this provider's sessions."),
            OpenApiParameter("room", int, description="Only this room's sessions."),
        ],
        responses=DayScheduleSerializer,
    )
    def get(self, request: Request) -> Response:
        query = DayScheduleQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        clinic = Clinic.objects.get(pk=params["clinic"]) if "clinic" in params else None
        tz = clinic_timezone(clinic)
        day = params.get("date") or calendar.local_today(tz)
        schedule = day_schedule_limit(
            calendar.day_schedule(
                day=day, clinic=clinic, provider_id=params.get("provider"), room_id=params.get("room")
            ),
            user=request.user,
        )
        where = f" at location {clinic.pk}" if clinic is not None else ""
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.LIST,
            target_type=Appointment._meta.label,
            detail=f"day schedule {day.isoformat()}{where}: {schedule.appointment_count} appointments",
        )
        return Response(DayScheduleSerializer(schedule).data)


class ICalendarRenderer(renderers.BaseRenderer):
    """Lets a calendar client that asks only for text/calendar still get error answers."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        detail = data.get("detail", "") if isinstance(data, dict) else data
        return str(detail).encode()


class ProviderFeedView(APIView):
    """GET a provider's sessions as an iCalendar feed (no health details: patients' initials only)."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": VIEW_CALENDAR}
    renderer_classes = [renderers.JSONRenderer, ICalendarRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="An iCalendar file.")},
    )
    def get(self, request: Request, provider_id: int) -> HttpResponse:
        provider = located_or_404(Provider.objects.all(), request, pk=provider_id)
        feed = ical.provider_feed(provider=provider, among=location_limit(Appointment.objects.all(), user=request.user))
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.LIST,
            target_type=Appointment._meta.label,
            detail=f"iCalendar feed of provider {provider.pk}: {feed.event_count} appointments",
        )
        response = HttpResponse(feed.content, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="provider-{provider.pk}.ics"'
        response["Cache-Control"] = "private, no-store"
        return response
