"""Staff API for the waitlist: list, add and remove entries (front desk and above), each with its offers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
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
from clinic.patients.models import Patient
from clinic.scheduling.api.common import IdField, PatientBriefSerializer, SessionTypeBriefSerializer
from clinic.scheduling.models import Appointment, Provider, SessionType

from .models import WaitlistEntry, WaitlistOffer
from .services import waitlist_join, waitlist_remove

READ = ("waitlist.view_waitlistentry", "waitlist.view_waitlistoffer", "patients.view_patient")
ADD = (*READ, "waitlist.add_waitlistentry")
CHANGE = (*READ, "waitlist.change_waitlistentry")
REFUSED = OpenApiResponse(description="A field is wrong or a rule refuses it: one message per field.")


class OfferSerializer(serializers.ModelSerializer[WaitlistOffer]):
    slot_starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)

    class Meta:
        model = WaitlistOffer
        fields = ["id", "slot", "slot_starts_at", "round", "status", "created_at", "expires_at", "answered_at"]
        read_only_fields = fields


class WaitlistEntrySerializer(serializers.ModelSerializer[WaitlistEntry]):
    patient = PatientBriefSerializer(read_only=True)
    session_type = SessionTypeBriefSerializer(read_only=True)
    providers = serializers.PrimaryKeyRelatedField[Provider](many=True, read_only=True)
    offers = OfferSerializer(many=True, read_only=True)

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "patient",
            "session_type",
            "appointment",
            "preferred_weekdays",
            "preferred_times",
            "providers",
            "status",
            "source",
            "created_at",
            "closed_at",
            "closed_reason",
            "offers",
        ]
        read_only_fields = fields


class WaitlistEntryCreateSerializer(serializers.Serializer[Any]):
    patient = IdField[Patient](queryset=Patient.objects.all())
    session_type = IdField[SessionType](queryset=SessionType.objects.all())
    appointment = IdField[Appointment](
        queryset=Appointment.objects.all(), required=False, allow_null=True, help_text="Earlier if possible."
    )
    preferred_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, help_text="0 Monday to 6 Sunday."
    )
    preferred_times = serializers.ListField(
        child=serializers.CharField(max_length=11),
        required=False,
        help_text='Day parts (morning, afternoon, evening) or windows like "09:30-13:00", location time.',
    )
    providers = serializers.ListField(child=IdField[Provider](queryset=Provider.objects.all()), required=False)


class WaitlistFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=WaitlistEntry.Status.choices, required=False)
    patient = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    session_type = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class WaitlistEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[WaitlistEntry]):
    """The waitlist, oldest entry first (the order offers follow)."""

    serializer_class = WaitlistEntrySerializer
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": READ, "retrieve": READ, "create": ADD, "remove": CHANGE}

    def get_queryset(self) -> QuerySet[WaitlistEntry]:
        entries = (
            WaitlistEntry.objects.select_related("patient", "session_type")
            .prefetch_related("providers", "offers__slot")
            .order_by("created_at", "id")
        )
        return location_limit(entries, user=self.request.user)

    def _actor(self) -> Actor:
        return Actor.from_request(self.request)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[value for value, _ in WaitlistEntry.Status.choices]),
            OpenApiParameter("patient", int),
            OpenApiParameter("session_type", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = WaitlistFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = self.get_queryset()
        for name in ("status", "patient", "session_type"):
            if name in filters.validated_data:
                queryset = queryset.filter(**{name: filters.validated_data[name]})
        page = self.paginate_queryset(queryset)
        items = page if page is not None else list(queryset)
        audit_by(
            self._actor(),
            action=AuditEvent.Action.LIST,
            target_type=WaitlistEntry._meta.label,
            detail=f"{len(items)} waitlist entries listed",
        )
        data = WaitlistEntrySerializer(items, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        audit_by(self._actor(), action=AuditEvent.Action.VIEW, target=entry, detail="waitlist entry read")
        return Response(WaitlistEntrySerializer(entry).data)

    @extend_schema(request=WaitlistEntryCreateSerializer, responses={201: WaitlistEntrySerializer, 400: REFUSED})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add a patient to the waitlist (the same patient, session type and session again: the same entry)."""
        payload = WaitlistEntryCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entry = waitlist_join(
            actor=self._actor(),
            patient=data["patient"],
            session_type=data["session_type"],
            appointment=data.get("appointment"),
            preferred_weekdays=data.get("preferred_weekdays", []),
            preferred_times=data.get("preferred_times", []),
            providers=data.get("providers", []),
            source="staff",
        )
        return Response(WaitlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=WaitlistEntrySerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: int) -> Response:
        """Take the entry off the waitlist; its open offers are withdrawn (idempotent)."""
        entry = waitlist_remove(actor=self._actor(), entry=self.get_object())
        return Response(WaitlistEntrySerializer(entry).data)
