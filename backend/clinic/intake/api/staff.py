"""Staff triage API: list, read, correct, move, assign, annotate, screen and convert inquiries."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.accounts.actor import Actor
from clinic.accounts.locations import location_limit, location_record_visible
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions, LocatedPrimaryKeyField
from clinic.accounts.services import audit_by
from clinic.core.languages import language_choices, language_codes
from clinic.core.models import Clinic
from clinic.core.serializer_fields import PhoneField, text_field
from clinic.scheduling.api.common import IdField

from .. import selectors, services
from ..models import Inquiry, InquiryNote, Screening
from .public import REASON_CHOICES

VIEW = ("intake.view_inquiry",)
CHANGE = ("intake.view_inquiry", "intake.change_inquiry")


class StaffUserSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return str(user.get_full_name() or user.username)


class InquiryNoteSerializer(serializers.ModelSerializer[InquiryNote]):
    author = StaffUserSerializer(read_only=True)
    body = text_field(5000, required=True)

    class Meta:
        model = InquiryNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class InquiryListSerializer(serializers.ModelSerializer[Inquiry]):
    reasons = serializers.SlugRelatedField[Any](many=True, read_only=True, slug_field="code")
    assigned_to = StaffUserSerializer(read_only=True, allow_null=True)
    clinic_name = serializers.CharField(
        source="clinic.name", read_only=True, allow_null=True, help_text="The location's name; null: none yet."
    )
    triage_badge = serializers.SerializerMethodField(
        help_text="Why this inquiry is at the top of the list (e.g. a self-booked consultation); empty: nothing."
    )

    class Meta:
        model = Inquiry
        fields = [
            "reference",
            "status",
            "first_name",
            "last_name",
            "phone",
            "email",
            "preferred_contact_method",
            "preferred_language",
            "clinic",
            "clinic_name",
            "triage_badge",
            "reasons",
            "assigned_to",
            "clinic",
            "created_at",
            "updated_at",
        ]
        # Chosen by the person on the form (the location, or the nearest to their ZIP code); staff read them here.
        read_only_fields = ["preferred_language", "clinic"]

    def get_triage_badge(self, inquiry: Inquiry) -> str:
        return getattr(inquiry, "triage_badge", None) or ""


class InquiryDetailSerializer(InquiryListSerializer):
    notes = InquiryNoteSerializer(many=True, read_only=True)
    submission_count = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    patient_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta(InquiryListSerializer.Meta):
        fields = [
            *InquiryListSerializer.Meta.fields,
            "best_time_to_reach",
            "prior_treatments",
            "message",
            "sms_consent",
            "sms_consent_at",
            "sms_consent_version",
            "sms_consent_source",
            "privacy_acknowledged_at",
            "adult_confirmed_at",
            "source",
            "patient_id",
            "submission_count",
            "allowed_transitions",
            "notes",
        ]

    def get_submission_count(self, inquiry: Inquiry) -> int:
        return len(inquiry.submissions.all())

    def get_allowed_transitions(self, inquiry: Inquiry) -> list[str]:
        return [s for s in services.ALLOWED_TRANSITIONS[inquiry.status] if s != Inquiry.Status.CONVERTED]


class InquiryUpdateSerializer(serializers.Serializer[Any]):
    first_name = text_field(100)
    last_name = text_field(100)
    phone = PhoneField(required=False)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    preferred_contact_method = serializers.ChoiceField(choices=Inquiry.ContactMethod.choices, required=False)
    best_time_to_reach = text_field(100)
    reasons = serializers.MultipleChoiceField(choices=REASON_CHOICES, required=False, allow_empty=True)
    prior_treatments = text_field(1000)
    message = text_field(2000)
    clinic = LocatedPrimaryKeyField[Clinic](
        queryset=Clinic.objects.all(),
        required=False,
        help_text="The location the inquiry belongs to (one of yours, if you are limited to locations).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("first_name", "last_name"):
            if name in attrs and not attrs[name]:
                raise serializers.ValidationError({name: "This field may not be blank."})
        if "reasons" in attrs:
            attrs["reasons"] = sorted(attrs["reasons"])
        return attrs


class InquiryFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Inquiry.Status.choices, required=False)
    reason = serializers.ChoiceField(choices=REASON_CHOICES, required=False)
    assigned_to = serializers.CharField(required=False, help_text="A staff user id, or 'none' for unassigned.")
    preferred_language = serializers.ChoiceField(choices=[], required=False)
    clinic = serializers.CharField(required=False, help_text="A location id, or 'none' for inquiries without one.")
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)
    search = text_field(100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.ChoiceField, self.fields["preferred_language"]).choices = language_choices()

    def validate_assigned_to(self, value: str) -> str:
        if value != "none" and not value.isdigit():
            raise serializers.ValidationError("Use a staff user id, or 'none' for unassigned.")
        return value

    def validate_clinic(self, value: str) -> Clinic | str:
        # Any location, open or closed: staff look back at the inquiries of a location that has closed.
        if value == "none":
            return value
        field = IdField[Clinic](queryset=Clinic.objects.all())
        field.bind("clinic", self)  # reads the request from this serializer's context
        location: Clinic = field.run_validation(value)
        return location


class TransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Inquiry.Status.choices)
    note = text_field(5000)


class AssignSerializer(serializers.Serializer[Any]):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True), allow_null=True
    )


class ScreeningSerializer(serializers.ModelSerializer[Screening]):
    notes = text_field(5000)
    contraindications_present = serializers.ListField(child=serializers.CharField(), read_only=True)
    screened_by = StaffUserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Screening
        fields = [
            *Screening.CONTRAINDICATIONS,
            "result",
            "notes",
            "contraindications_present",
            "screened_by",
            "screened_at",
        ]
        read_only_fields = ["screened_by", "screened_at"]


class ConvertedPatientSerializer(serializers.Serializer[Any]):
    patient_id = serializers.IntegerField()
    inquiry = serializers.CharField()
    status = serializers.CharField()


class InquiryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Inquiry]):
    """Triage inquiries. Looked up by their public reference, e.g. /staff/inquiries/INQ-7K3M9QXA/."""

    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9\-]+"
    permission_classes = [HasRolePermissions]
    required_permissions = {
        "list": VIEW,
        "retrieve": VIEW,
        "partial_update": CHANGE,
        "transition": CHANGE,
        "assign": CHANGE,
        "notes": ("intake.view_inquiry", "intake.view_inquirynote"),
        "add_note": ("intake.view_inquiry", "intake.add_inquirynote"),
        "screening": ("intake.view_inquiry", "intake.view_screening"),
        "record_screening": ("intake.view_inquiry", "intake.view_screening", "intake.change_screening"),
        "convert": ("intake.view_inquiry", "intake.convert_inquiry", "patients.add_patient"),
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return InquiryListSerializer if self.action == "list" else InquiryDetailSerializer

    def get_queryset(self) -> QuerySet[Inquiry]:
        return location_limit(selectors.inquiry_list(), user=self.request.user)

    def get_object(self) -> Inquiry:
        inquiry = selectors.inquiry_get(reference=self.kwargs["reference"])
        # Outside the caller's locations, the same answer as no such reference.
        if inquiry is None or not location_record_visible(inquiry, user=self.request.user):
            raise Http404
        return inquiry

    def _actor(self) -> Actor:
        return Actor.from_request(self.request)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Inquiry.Status.values),
            OpenApiParameter("reason", str, enum=[code for code, _ in REASON_CHOICES]),
            OpenApiParameter("assigned_to", str, description="Staff user id, or 'none'."),
            OpenApiParameter("preferred_language", str, enum=language_codes(), description="The person's language."),
            OpenApiParameter("clinic", str, description="A location id, or 'none' for inquiries without one."),
            OpenApiParameter("created_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("created_to", str, description="YYYY-MM-DD"),
            OpenApiParameter("search", str, description="Name, email, phone digits or reference."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = InquiryFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        params = dict(filters.validated_data)
        assigned = params.pop("assigned_to", None)
        clinic = params.pop("clinic", None)
        queryset = location_limit(
            selectors.inquiry_list(
                **params,
                clinic=clinic if isinstance(clinic, Clinic) else None,
                without_clinic=clinic == "none",
                unassigned=assigned == "none",
                assigned_to=int(assigned) if assigned and assigned != "none" else None,
            ),
            user=request.user,
        )
        page = self.paginate_queryset(queryset)
        items = page if page is not None else list(queryset)
        audit_by(
            self._actor(),
            action=AuditEvent.Action.LIST,
            target_type=Inquiry._meta.label,
            detail=f"{len(items)} inquiries listed",
        )
        data = InquiryListSerializer(items, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inquiry = self.get_object()
        audit_by(self._actor(), action=AuditEvent.Action.VIEW, target=inquiry)
        return Response(InquiryDetailSerializer(inquiry).data)

    @extend_schema(request=InquiryUpdateSerializer, responses=InquiryDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inquiry = self.get_object()
        payload = InquiryUpdateSerializer(data=request.data, partial=True, context={"request": request})
        payload.is_valid(raise_exception=True)
        services.inquiry_update(inquiry=inquiry, by=self._actor(), changes=dict(payload.validated_data))
        return Response(InquiryDetailSerializer(self.get_object()).data)

    @extend_schema(request=TransitionSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, reference: str) -> Response:
        inquiry = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.inquiry_transition(
            inquiry=inquiry,
            by=self._actor(),
            to_status=payload.validated_data["status"],
            note=payload.validated_data.get("note", ""),
        )
        return Response(InquiryDetailSerializer(self.get_object()).data)

    @extend_schema(request=AssignSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, reference: str) -> Response:
        inquiry = self.get_object()
        payload = AssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignee = payload.validated_data["assignee"]
        services.inquiry_assign(inquiry=inquiry, by=self._actor(), assignee_id=assignee.pk if assignee else None)
        return Response(InquiryDetailSerializer(self.get_object()).data)

    @extend_schema(responses=InquiryNoteSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # all of one inquiry's notes, in one list
    def notes(self, request: Request, reference: str) -> Response:
        inquiry = self.get_object()
        audit_by(self._actor(), action=AuditEvent.Action.VIEW, target=inquiry, detail="notes")
        return Response(InquiryNoteSerializer(inquiry.notes.all(), many=True).data)

    @extend_schema(request=InquiryNoteSerializer, responses={201: InquiryNoteSerializer})
    @notes.mapping.post
    def add_note(self, request: Request, reference: str) -> Response:
        inquiry = self.get_object()
        payload = InquiryNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.inquiry_note_add(inquiry=inquiry, by=self._actor(), body=payload.validated_data["body"])
        return Response(InquiryNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ScreeningSerializer)
    @action(detail=True, methods=["get"])
    def screening(self, request: Request, reference: str) -> Response:
        inquiry = self.get_object()
        screening = Screening.objects.filter(inquiry=inquiry).select_related("screened_by").first()
        if screening is None:
            raise Http404
        audit_by(self._actor(), action=AuditEvent.Action.VIEW, target=screening)
        return Response(ScreeningSerializer(screening).data)

    @extend_schema(request=ScreeningSerializer, responses=ScreeningSerializer)
    @screening.mapping.put
    def record_screening(self, request: Request, reference: str) -> Response:
        inquiry = self.get_object()
        payload = ScreeningSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        screening = services.screening_record(
            inquiry=inquiry,
            by=self._actor(),
            checklist={name: data[name] for name in Screening.CONTRAINDICATIONS if name in data},
            result=data.get("result", Screening.Result.PENDING),
            notes=data.get("notes", ""),
        )
        return Response(ScreeningSerializer(screening).data)

    @extend_schema(request=None, responses={201: ConvertedPatientSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, reference: str) -> Response:
        inquiry = self.get_object()
        patient = services.inquiry_convert_to_patient(inquiry=inquiry, by=self._actor())
        return Response(
            {"patient_id": patient.pk, "inquiry": inquiry.reference, "status": Inquiry.Status.CONVERTED},
            status=status.HTTP_201_CREATED,
        )
