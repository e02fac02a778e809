"""Free start times for a session type, per provider, over a window of the location's local days."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.permissions import HasRolePermissions
from clinic.core.clinics import clinic_timezone
from clinic.core.models import Clinic
from clinic.patients.models import Patient

from ..availability import Slot, availability_at_location
from ..models import Provider, SessionType
from ..selectors import provider_works_at
from .common import IdField, LocalDateField, LocalDateTimeField

REQUIRED = ("scheduling.view_calendar", "scheduling.view_appointment")


class AvailabilityQuerySerializer(serializers.Serializer[Any]):
    session_type = IdField[SessionType](queryset=SessionType.objects.select_related("clinic"))
    provider = IdField[Provider](queryset=Provider.objects.all(), required=False)
    patient = IdField[Patient](queryset=Patient.objects.all(), required=False)
    clinic = IdField[Clinic](queryset=Clinic.objects.all(), required=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # `from` is a Python keyword, so these two cannot be declared as class attributes.
        fields["from"] = LocalDateField()
        fields["to"] = LocalDateField()
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        session_type: SessionType = attrs["session_type"]
        provider: Provider | None = attrs.get("provider")
        if not session_type.is_active:
            raise serializers.ValidationError({"session_type": "This session type is no longer offered."})
        if provider is not None and not provider.is_active:
            raise serializers.ValidationError({"provider": "This provider is not taking bookings."})
        clinic: Clinic | None = attrs.get("clinic")
        if clinic is not None and clinic.pk != session_type.clinic_id:
            raise serializers.ValidationError(
                {"clinic": f"This session type is offered at {session_type.clinic.name}, not at {clinic.name}."}
            )
        if provider is not None and not provider_works_at(provider=provider, clinic_id=session_type.clinic_id):
            raise serializers.ValidationError(
                {"provider": f"{provider.display_name} has no working hours at {session_type.clinic.name}."}
            )
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": "Must be the same day as `from` or later."})
        limit = settings.SCHEDULING_MAX_AVAILABILITY_DAYS
        if (attrs["to"] - attrs["from"]).days + 1 > limit:
            raise serializers.ValidationError({"to": f"Ask for at most {limit} days at a time."})
        return attrs


class SlotSerializer(serializers.Serializer[Slot]):
    starts_at = LocalDateTimeField()
    ends_at = LocalDateTimeField(help_text="When the session and its monitoring end.")
    provider = serializers.IntegerField(source="provider_id")
    rooms = serializers.ListField(
        child=serializers.IntegerField(), source="room_ids", help_text="Rooms free for the whole stay."
    )


class AvailabilitySerializer(serializers.Serializer[Any]):
    session_type = serializers.IntegerField()
    clinic = serializers.IntegerField(help_text="The location (the session type's) where these times are offered.")
    time_zone = serializers.CharField(help_text="The location's zone; every time is given in it, with its offset.")
    slots = SlotSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        slots = fields.pop("slots")
        # `from` is a Python keyword, so these two cannot be declared as class attributes.
        fields["from"] = serializers.DateField(source="date_from")
        fields["to"] = serializers.DateField(source="date_to")
        fields["slots"] = slots
        return fields


class AvailabilityView(APIView):
    """When a session type can start at its location: each free start, its provider and the rooms free for it."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": REQUIRED}

    @extend_schema(
        parameters=[
            OpenApiParameter("session_type", int, required=True),
            OpenApiParameter(
                "provider", int, description="Leave out for every active provider with working hours at the location."
            ),
            OpenApiParameter("patient", int, description="Leave out times this patient is already booked."),
            OpenApiParameter(
                "clinic", int, description="The location (optional): it must be the session type's location."
            ),
            OpenApiParameter(
                "from", OpenApiTypes.DATE, required=True, description="First local day at the location, included."
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, required=True, description="Last local day at the location, included."
            ),
        ],
        responses={
            200: AvailabilitySerializer,
            400: OpenApiResponse(description="A parameter is missing or wrong: one message per parameter."),
        },
    )
    def get(self, request: Request) -> Response:
        query = AvailabilityQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        session_type: SessionType = data["session_type"]
        tz = clinic_timezone(session_type.clinic)
        patient: Patient | None = data.get("patient")
        slots = availability_at_location(
            session_type=session_type,
            provider=data.get("provider"),
            date_from=data["from"],
            date_to=data["to"],
            patient_id=patient.pk if patient else None,
        )
        answer = {
            "session_type": session_type.pk,
            "clinic": session_type.clinic_id,
            "time_zone": tz.key,
            "date_from": data["from"],
            "date_to": data["to"],
            "slots": slots,
        }
        return Response(AvailabilitySerializer(answer, context={"tz": tz}).data)
