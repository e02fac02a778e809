"""Staff patients API: search, create, read and correct patient records. Every call is audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.accounts.actor import Actor
from clinic.accounts.locations import location_limit, location_limit_objects, staff_location_ids
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions, LocatedPrimaryKeyField, located_or_404
from clinic.accounts.services import audit_by
from clinic.core.languages import LANGUAGE_DEFAULT, language_codes
from clinic.core.models import Clinic
from clinic.core.serializer_fields import PhoneField, text_field
from clinic.core.timezones import validate_timezone_name
from clinic.core.validators import validate_encodable_text

from . import selectors, services
from .models import Patient

VIEW = ("patients.view_patient",)
OLDEST_BIRTH_DATE = datetime.date(1900, 1, 1)


class PatientWriteSerializer(serializers.Serializer[Any]):
    first_name = text_field(100, required=True)
    last_name = text_field(100, required=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True, input_formats=["%Y-%m-%d"])
    phone = PhoneField()
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    timezone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="IANA name, e.g. America/New_York; default: clinic's.",
    )
    sms_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The patient agreed to texts (recorded now, source 'staff', current consent wording).",
    )
    email_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The patient agreed to emails at `email` (recorded now, source 'staff'); a new address needs it.",
    )
    language = serializers.ChoiceField(
        choices=language_codes(),
        required=False,
        default=LANGUAGE_DEFAULT,
        help_text="The language of the patient's texts, emails and pages.",
    )
    reminder_channel = serializers.ChoiceField(
        choices=Patient.ReminderChannel.choices,
        required=False,
        default=Patient.ReminderChannel.AUTOMATIC,
        help_text="How reminders reach the patient; check-ins and crisis answers are always texts.",
    )
    clinic = LocatedPrimaryKeyField[Clinic](
        queryset=Clinic.objects.all(),
        required=False,
        allow_null=True,
        help_text="The patient's home location. Staff limited to locations choose one of theirs (their only "
        "one when left out).",
    )

    def validate_date_of_birth(self, value: datetime.date | None) -> datetime.date | None:
        if value is not None and not OLDEST_BIRTH_DATE <= value <= timezone.localdate():
            raise serializers.ValidationError("Enter a date of birth in the past (YYYY-MM-DD).")
        return value

    def validate_timezone(self, value: str) -> str:
        if value:
            try:
                validate_timezone_name(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages[0]) from exc
        return value


class PatientUpdateSerializer(PatientWriteSerializer):
    clinic = LocatedPrimaryKeyField[Clinic](
        queryset=Clinic.objects.all(), required=False, help_text="The patient's home location."
    )

    def validate_timezone(self, value: str) -> str:
        if not value:
            raise serializers.ValidationError("This field may not be blank.")
        return super().validate_timezone(value)


class PatientSerializer(serializers.ModelSerializer[Patient]):
    sms_consent = serializers.SerializerMethodField()
    email_consent = serializers.SerializerMethodField()
    phone_shared = serializers.SerializerMethodField(help_text="Another patient on file has the same number.")

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "email",
            "timezone",
            "language",
            "sms_consent",
            "email_consent",
            "reminder_channel",
            "clinic",
            "phone_shared",
        ]

    def get_email_consent(self, patient: Patient) -> bool:
        return patient.email_consent_at is not None

    def get_sms_consent(self, patient: Patient) -> bool:
        return patient.sms_consent_at is not None

    def get_phone_shared(self, patient: Patient) -> bool:
        holders = getattr(patient, "number_holders", None)
        if holders is None:
            holders = len(selectors.patients_sharing_number(patient.phone))
        return bool(holders > 1)


class SharingPatientSerializer(serializers.ModelSerializer[Patient]):
    class Meta:
        model = Patient
        fields = ["id", "first_name", "last_name"]


class PhoneStateSerializer(serializers.Serializer[Any]):
    opted_out = serializers.BooleanField()
    opted_out_at = serializers.DateTimeField(allow_null=True)
    opt_out_keyword = serializers.CharField()
    opted_in_at = serializers.DateTimeField(allow_null=True)
    undeliverable = serializers.BooleanField()
    undeliverable_at = serializers.DateTimeField(allow_null=True)
    can_text = serializers.BooleanField(help_text="Consent recorded, not opted out, and deliverable.")


class EmailStateSerializer(serializers.Serializer[Any]):
    unsubscribed = serializers.BooleanField()
    unsubscribed_at = serializers.DateTimeField(allow_null=True)
    undeliverable = serializers.BooleanField()
    undeliverable_at = serializers.DateTimeField(allow_null=True)
    can_email = serializers.BooleanField(help_text="Email on, consent for this address, not unsubscribed, deliverable.")
    why_not = serializers.CharField(help_text='Why an email may not go to the address ("" if it may).')


class UpcomingAppointmentSerializer(serializers.Serializer[Any]):
    """A coming session as the patient's page lists it (the sessions come from scheduling)."""

    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.CharField()
    session_type = serializers.CharField(source="session_type.name")
    provider = serializers.CharField(source="provider.display_name")
    room = serializers.CharField(source="room.name", allow_null=True, default=None)
    series_position = serializers.IntegerField(allow_null=True)
    clinic = serializers.IntegerField(source="session_type.clinic_id", help_text="The location of the session.")
    clinic_name = serializers.CharField(source="session_type.clinic.name")
    clinic_timezone = serializers.CharField(
        source="session_type.clinic.timezone", help_text="The location's zone: the session's local times are its."
    )


class PatientDetailSerializer(PatientSerializer):
    """A patient with their number's opt-out state and coming sessions (passed in the context)."""

    # Declared, not generated: a generated read-only field drops allow_blank, and the schema then calls "" invalid.
    email = serializers.EmailField(read_only=True, allow_blank=True)
    email_consent_address = serializers.EmailField(
        read_only=True, allow_blank=True, help_text="The address consent was given for."
    )
    phone_state = serializers.SerializerMethodField()
    email_state = serializers.SerializerMethodField()
    phone_shared_with = serializers.SerializerMethodField(help_text="The other patients on file with this number.")
    upcoming_appointments = serializers.SerializerMethodField()

    class Meta(PatientSerializer.Meta):
        fields = [
            *PatientSerializer.Meta.fields,
            "sms_consent_at",
            "sms_consent_version",
            "sms_consent_source",
            "sms_consent_phone",
            "email_consent_at",
            "email_consent_version",
            "email_consent_source",
            "email_consent_address",
            "created_at",
            "created_by",
            "phone_state",
            "email_state",
            "phone_shared_with",
            "upcoming_appointments",
        ]
        read_only_fields = fields

    @extend_schema_field(PhoneStateSerializer)
    def get_phone_state(self, patient: Patient) -> dict[str, Any]:
        return dict(PhoneStateSerializer(self.context["phone_state"]).data)

    @extend_schema_field(EmailStateSerializer)
    def get_email_state(self, patient: Patient) -> dict[str, Any]:
        return dict(EmailStateSerializer(self.context["email_state"]).data)

    @extend_schema_field(SharingPatientSerializer(many=True))
    def get_phone_shared_with(self, patient: Patient) -> list[Any]:
        holders = self.context.get("phone_holders")
        if holders is None:
            holders = selectors.patients_sharing_number(patient.phone)
        others = [p for p in holders if p.pk != patient.pk]
        return list(SharingPatientSerializer(others, many=True).data)

    @extend_schema_field(UpcomingAppointmentSerializer(many=True))
    def get_upcoming_appointments(self, patient: Patient) -> list[Any]:
        return list(UpcomingAppointmentSerializer(self.context["upcoming_appointments"], many=True).data)


class PatientSearchSerializer(serializers.Serializer[Any]):
    # DRF's CharField already refuses NUL characters, which PostgreSQL cannot compare.
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, validators=[validate_encodable_text])


def _home_location_default(request: Request) -> Clinic | None:
    """A limited staff member's home location for the patients they create: their only one, or they must
    choose (a patient of no location would leave their sight at once)."""
    ids = staff_location_ids(request.user)
    if ids is None:
        return None
    if len(ids) != 1:
        raise serializers.ValidationError({"clinic": "Choose the patient's home location (one of yours)."})
    return Clinic.objects.get(pk=next(iter(ids)))


class PatientViewSet(viewsets.GenericViewSet[Patient]):
    """Patients, whether converted from an inquiry or created here by staff."""

    lookup_url_kwarg = "patient_id"
    permission_classes = [HasRolePermissions]
    required_permissions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": (*VIEW, "patients.add_patient"),
        "partial_update": (*VIEW, "patients.change_patient"),
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return PatientSerializer if self.action == "list" else PatientDetailSerializer

    def get_queryset(self) -> Any:
        return location_limit(selectors.patient_list(), user=self.request.user)

    def get_object(self) -> Patient:
        return located_or_404(selectors.patient_records(), self.request, pk=int(self.kwargs["patient_id"]))

    def _detail(self, patient: Patient) -> dict[str, Any]:
        """The patient's page as this reader may see it: other patients on the number, and sessions, of
        their locations only (the whole page for staff who are not limited)."""
        user = self.request.user
        context = selectors.patient_detail_parts(patient=patient)
        upcoming = context.get("upcoming_appointments")
        if isinstance(upcoming, list):
            context["upcoming_appointments"] = location_limit_objects(upcoming, user=user)
        holders = location_limit_objects(selectors.patients_sharing_number(patient.phone), user=user)
        context["phone_holders"] = holders
        patient.number_holders = max(len(holders), 1)  # type: ignore[attr-defined]
        return dict(PatientDetailSerializer(patient, context=context).data)

    @extend_schema(
        summary="Search patients by name or phone",
        parameters=[OpenApiParameter("q", str, description="Words of the name, or phone digits.")],
        responses=PatientSerializer(many=True),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        search = PatientSearchSerializer(data=request.query_params)
        search.is_valid(raise_exception=True)
        q = search.validated_data.get("q", "")
        visible = location_limit(Patient.objects.all(), user=request.user)
        queryset = selectors.patients_with_number_counts(
            location_limit(selectors.patient_list(q=q), user=request.user), among=visible
        )
        page = self.paginate_queryset(queryset)
        items = page if page is not None else list(queryset)
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.LIST,
            target_type=Patient._meta.label,
            # Never the search words themselves: they are often a name.
            detail=f"{len(items)} patients listed" + (" (search)" if q.strip() else ""),
        )
        data = PatientSerializer(items, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(summary="Read a patient, with their number's opt-out state and coming sessions")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        patient = self.get_object()
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=patient)
        return Response(self._detail(patient))

    @extend_schema(
        summary="Create a patient (consent given to staff is recorded now)",
        request=PatientWriteSerializer,
        responses={201: PatientDetailSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PatientWriteSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        home = data.get("clinic") or _home_location_default(request)
        patient = services.patient_create(
            actor=Actor.from_request(request),
            details=services.PatientDetails(
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                date_of_birth=data.get("date_of_birth"),
                email=data.get("email", ""),
                timezone=data.get("timezone", ""),
                sms_consent=data.get("sms_consent", False),
                email_consent=data.get("email_consent", False),
                reminder_channel=data.get("reminder_channel", Patient.ReminderChannel.AUTOMATIC),
                language=data.get("language", LANGUAGE_DEFAULT),
                clinic=home,
            ),
        )
        return Response(self._detail(patient), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct a patient's details (a new phone number needs consent again)",
        request=PatientUpdateSerializer,
        responses=PatientDetailSerializer,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        patient = self.get_object()
        payload = PatientUpdateSerializer(data=request.data, partial=True, context={"request": request})
        payload.is_valid(raise_exception=True)
        patient = services.patient_update(
            actor=Actor.from_request(request), patient=patient, changes=dict(payload.validated_data)
        )
        return Response(self._detail(patient))
