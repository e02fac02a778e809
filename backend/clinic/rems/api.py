"""Staff API: a session's monitoring record, marking its form submitted, the tracker (clinicians and clinic
admins only; front desk is refused), and a patient's REMS enrollment (every staff role)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.actor import Actor
from clinic.accounts.api import StaffMemberSerializer
from clinic.accounts.locations import location_limit
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions, located_or_404
from clinic.accounts.services import audit_by
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment

from .models import MonitoringRecord, Observation
from .selectors import (
    FormDeadline,
    FormState,
    form_deadline,
    monitoring_record_ids_in_state,
    monitoring_records_tracked,
    patient_rems_enrollment,
    rems_appointments,
    rems_settings_for,
    tracker_rows,
)
from .services import RECORD_FIELDS, monitoring_record_mark_submitted, monitoring_record_save, rems_enrollment_complete

VIEW_RECORDS = ("rems.view_monitoringrecord",)
CHANGE_RECORDS = ("rems.view_monitoringrecord", "rems.change_monitoringrecord")
VIEW_ENROLLMENT = ("patients.view_patient", "rems.view_remsenrollment")
ADD_ENROLLMENT = ("patients.view_patient", "rems.view_remsenrollment", "rems.add_remsenrollment")


def _reading() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, help_text="mmHg")


def _moment(help_text: str = "") -> serializers.DateTimeField:
    return serializers.DateTimeField(required=False, allow_null=True, help_text=help_text)


def _observation() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=Observation.choices, required=False, allow_blank=True, help_text="Empty: not recorded yet."
    )


def _yes_no() -> serializers.BooleanField:
    return serializers.BooleanField(required=False, allow_null=True, default=None)


class MonitoringRecordInputSerializer(serializers.Serializer[Any]):
    """The whole record, as staff fill it: a field left out is emptied (PUT)."""

    takes_benzodiazepines = _yes_no()
    takes_sedative_hypnotics = _yes_no()
    takes_psychostimulants = _yes_no()
    takes_maois = _yes_no()
    dose_mg = serializers.IntegerField(required=False, allow_null=True, help_text="Usually 56 or 84.")
    lot_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    first_dose_at = _moment("First device administered.")
    last_dose_at = _moment("Last device administered.")
    bp_pre_systolic = _reading()
    bp_pre_diastolic = _reading()
    bp_pre_at = _moment()
    bp_40_systolic = _reading()
    bp_40_diastolic = _reading()
    bp_40_at = _moment()
    bp_discharge_systolic = _reading()
    bp_discharge_diastolic = _reading()
    bp_discharge_at = _moment()
    vitals_ok_before_dosing = _yes_no()
    vitals_ok_at_discharge = _yes_no()
    sedation = _observation()
    dissociation = _observation()
    respiratory_depression = _observation()
    observation_notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    adverse_events = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    ready_to_leave_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    discharged_at = _moment()
    discharge_decided_by = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_staff=True, is_active=True),
        required=False,
        allow_null=True,
        help_text="A staff member's id; empty with a discharge time: the person saving.",
    )


class WarningSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class DeadlineSerializer(serializers.Serializer[Any]):
    session_day = serializers.DateField(help_text="In the location's zone.")
    due_day = serializers.DateField(help_text="The last calendar day to submit the form, in the location's zone.")
    days_left = serializers.IntegerField(help_text="Negative once overdue.")
    state = serializers.ChoiceField(choices=[code for code, _ in FormState.CHOICES])


class MonitoringRecordSerializer(MonitoringRecordInputSerializer):
    id = serializers.IntegerField(allow_null=True, help_text="Empty until the record is first saved.")
    appointment = serializers.IntegerField(source="appointment_id")
    discharge_decided_by = StaffMemberSerializer(allow_null=True)  # type: ignore[assignment]
    warnings = WarningSerializer(many=True, help_text="Flagged when last saved; they never block saving.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = StaffMemberSerializer(allow_null=True)
    submission_reference = serializers.CharField()
    deadline = serializers.SerializerMethodField()

    @extend_schema_field(DeadlineSerializer(allow_null=True))
    def get_deadline(self, record: MonitoringRecord) -> dict[str, Any] | None:
        if record.appointment.status != Appointment.Status.COMPLETED:
            return None
        limits = rems_settings_for(clinic_id=record.appointment.session_type.clinic_id)
        deadline = form_deadline(appointment=record.appointment, limits=limits, submitted=record.is_submitted)
        return _deadline_data(deadline)


def _deadline_data(deadline: FormDeadline) -> dict[str, Any]:
    return dict(
        DeadlineSerializer(
            {
                "session_day": deadline.session_day,
                "due_day": deadline.due_day,
                "days_left": deadline.days_left,
                "state": deadline.state,
            }
        ).data
    )


def _appointment(request: Request, pk: int) -> Appointment:
    """A REMS session of the caller's locations; any other answers 404 as a missing one."""
    queryset = rems_appointments().select_related("session_type__clinic", "patient", "provider__user")
    return located_or_404(queryset, request, pk=pk)


def _record_of(appointment: Appointment) -> MonitoringRecord:
    found = (
        MonitoringRecord.objects.filter(appointment=appointment)
        .select_related("discharge_decided_by", "submitted_by")
        .first()
    )
    return found if found is not None else MonitoringRecord(appointment=appointment)


class MonitoringRecordView(APIView):
    """A REMS session's monitoring record: read it (empty until saved), or write it whole.

    Impossible values (a pressure of 400, discharge before dosing) answer 400 naming the field; warnings
    (a pre-dose reading over the location's threshold, discharge before 2 hours, no reading at 40 minutes)
    never block saving: they come back in `warnings` and stay on the record.
    """

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": VIEW_RECORDS, "PUT": CHANGE_RECORDS}

    @extend_schema(responses=MonitoringRecordSerializer)
    def get(self, request: Request, pk: int) -> Response:
        appointment = _appointment(request, pk)
        record = _record_of(appointment)
        actor = Actor.from_request(request)
        if record.pk is not None:
            audit_by(actor, action=AuditEvent.Action.VIEW, target=record, detail="api")
        else:
            audit_by(actor, action=AuditEvent.Action.VIEW, target=appointment, detail="REMS monitoring record (empty)")
        return Response(MonitoringRecordSerializer(record).data)

    @extend_schema(request=MonitoringRecordInputSerializer, responses=MonitoringRecordSerializer)
    def put(self, request: Request, pk: int) -> Response:
        appointment = _appointment(request, pk)
        payload = MonitoringRecordInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = {name: payload.validated_data.get(name) for name in RECORD_FIELDS}
        record = monitoring_record_save(actor=Actor.from_request(request), appointment=appointment, values=values)
        return Response(MonitoringRecordSerializer(_record_of(record.appointment)).data)


class MarkSubmittedSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(
        max_length=80, help_text="The REMS confirmation number (or 'fax' and the date it was sent)."
    )


class MonitoringRecordSubmittedView(APIView):
    """Mark the form submitted to the REMS (on its portal or by fax: this software never submits it).

    Who and when are recorded once; a form already marked answers 409 and keeps the first mark.
    """

    permission_classes = [HasRolePermissions]
    required_permissions = {"POST": CHANGE_RECORDS}

    @extend_schema(
        request=MarkSubmittedSerializer, responses={200: MonitoringRecordSerializer, 409: MonitoringRecordSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        appointment = _appointment(request, pk)
        payload = MarkSubmittedSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record = _record_of(appointment)
        if record.pk is None:
            return Response({"status": ["This session has no monitoring record yet: fill it first."]}, status=400)
        changed = monitoring_record_mark_submitted(
            actor=Actor.from_request(request), record=record, reference=payload.validated_data["reference"]
        )
        body = MonitoringRecordSerializer(_record_of(appointment)).data
        return Response(body, status=status.HTTP_200_OK if changed else status.HTTP_409_CONFLICT)


class TrackerRowSerializer(serializers.Serializer[Any]):
    appointment = serializers.IntegerField(source="record.appointment_id")
    patient_id = serializers.IntegerField(source="record.appointment.patient_id")
    patient_name = serializers.SerializerMethodField()
    session_starts_at = serializers.DateTimeField(source="record.appointment.starts_at")
    location = serializers.CharField(source="record.appointment.session_type.clinic.name")
    deadline = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(source="record.submitted_at", allow_null=True)
    submission_reference = serializers.CharField(source="record.submission_reference")

    def get_patient_name(self, row: Any) -> str:
        patient = row.record.appointment.patient
        return f"{patient.first_name} {patient.last_name}"

    @extend_schema_field(DeadlineSerializer)
    def get_deadline(self, row: Any) -> dict[str, Any]:
        return _deadline_data(row.deadline)


class TrackerPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TrackerRowSerializer(many=True)


class TrackerFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=[code for code, _ in FormState.CHOICES], required=False)


class TrackerView(APIView):
    """Completed REMS sessions and their forms: by default those not marked submitted, soonest due first."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": VIEW_RECORDS}

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=[code for code, _ in FormState.CHOICES])],
        responses=TrackerPageSerializer,
    )
    def get(self, request: Request) -> Response:
        filters = TrackerFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        records = location_limit(monitoring_records_tracked(), user=request.user)
        state = filters.validated_data.get("state", "")
        if state:
            records = monitoring_record_ids_in_state(records, state=state)
        else:
            records = records.filter(submitted_at__isnull=True)
        records = records.order_by("appointment__starts_at", "pk")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(records, request, view=self) or []
        rows = tracker_rows(page)
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.LIST,
            target_type=MonitoringRecord._meta.label,
            detail=f"{len(rows)} REMS forms listed",
        )
        return paginator.get_paginated_response(TrackerRowSerializer(rows, many=True).data)


class EnrollmentSerializer(serializers.Serializer[Any]):
    patient_id = serializers.IntegerField()
    enrolled = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    completed_by = StaffMemberSerializer(allow_null=True)
    note = serializers.CharField()


class EnrollmentInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


def _enrollment_data(patient: Patient) -> dict[str, Any]:
    enrollment = patient_rems_enrollment(patient_id=patient.pk)
    return dict(
        EnrollmentSerializer(
            {
                "patient_id": patient.pk,
                "enrolled": enrollment is not None,
                "completed_at": enrollment.completed_at if enrollment else None,
                "completed_by": enrollment.completed_by if enrollment else None,
                "note": enrollment.note if enrollment else "",
            }
        ).data
    )


class EnrollmentView(APIView):
    """The checklist item "REMS patient enrollment form completed": a REMS session is booked only once it is."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": VIEW_ENROLLMENT, "POST": ADD_ENROLLMENT}

    @extend_schema(responses=EnrollmentSerializer)
    def get(self, request: Request, patient_id: int) -> Response:
        patient = located_or_404(Patient.objects.all(), request, pk=patient_id)
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=patient, detail="REMS enrollment")
        return Response(_enrollment_data(patient))

    @extend_schema(request=EnrollmentInputSerializer, responses=EnrollmentSerializer)
    def post(self, request: Request, patient_id: int) -> Response:
        """Tick it (once: the first person and time are kept)."""
        patient = located_or_404(Patient.objects.all(), request, pk=patient_id)
        payload = EnrollmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        actor = Actor.from_request(request)
        rems_enrollment_complete(actor=actor, patient=patient, note=payload.validated_data.get("note", ""))
        audit_by(actor, action=AuditEvent.Action.VIEW, target=patient, detail="REMS enrollment")
        return Response(_enrollment_data(patient))
