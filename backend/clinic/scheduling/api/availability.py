"""Free start times for a session type, per provider, over a window of local days."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.locations import location_limit
from clinic.accounts.permissions import HasRolePermissions
from clinic.patients.models import Patient

from ..availability import Slot, availability_for
from ..models import Provider, SessionType
from .common import IdField, LocalDateField, LocalDateTimeField

REQUIRED = ("scheduling.view_calendar", "scheduling.view_appointment")


class AvailabilityQuerySerializer(serializers.Serializer[Any]):
    session_type = IdField[SessionType](queryset=SessionType.objects.select_related("clinic"))
    provider = IdField[Provider](queryset=Provider.objects.all(), required=False)
    patient = IdField[Patient](queryset=Patient.objects.all(), required=False)

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
        if provider is not None and provider.clinic_id != session_type.clinic_id:
            raise serializers.ValidationError({"provider": "This provider does not work at the session type's clinic."})
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
    time_zone = serializers.CharField(help_text="The clinic's zone; every time is given in it, with its offset.")
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
    """When a session type can start: each free start, its provider and the rooms free for it."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": REQUIRED}

    @extend_schema(
        parameters=[
            OpenApiParameter("session_type", int, required=True),
            OpenApiParameter("provider", int, description="Leave out for every active provider of the clinic."),
            OpenApiParameter("patient", int, description="Leave out times this patient is already booked."),
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First local day, included."),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Last local day, included."),
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
        tz = zoneinfo.ZoneInfo(session_type.clinic.timezone)
        providers = (
            [data["provider"]]
            if "provider" in data
            else list(
                location_limit(
                    Provider.objects.filter(clinic_id=session_type.clinic_id, is_active=True), user=request.user
                )
            )
        )
        patient: Patient | None = data.get("patient")
        slots = [
            slot
            for provider in providers
            for slot in availability_for(
                session_type=session_type,
                provider=provider,
                date_from=data["from"],
                date_to=data["to"],
                tz=tz,
                patient_id=patient.pk if patient else None,
            )
        ]
        slots.sort(key=lambda slot: (slot.starts_at, slot.provider_id))
        answer = {
            "session_type": session_type.pk,
            "time_zone": tz.key,
            "date_from": data["from"],
            "date_to": data["to"],
            "slots": slots,
        }
        return Response(AvailabilitySerializer(answer, context={"tz": tz}).data)
