"""Staff API: alerts (clinicians), a patient's check-in scores (clinicians)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.actor import Actor
from clinic.accounts.api import StaffMemberSerializer
from clinic.accounts.locations import location_limit, location_limit_objects
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions, located_or_404
from clinic.accounts.services import audit_by
from clinic.messaging.models import InboundMessage
from clinic.messaging.selectors import language_name_or_blank
from clinic.patients.models import Patient
from clinic.patients.selectors import patients_sharing_number

from . import selectors
from .alerts import alert_acknowledge, alert_link
from .models import Alert, AlertPage, CheckInHold
from .selectors import alert_checkin_holds, alert_number
from .suspension import checkins_resume_for

VIEW_ALERTS = ("checkins.view_alert",)
CHANGE_ALERTS = ("checkins.view_alert", "checkins.change_alert")
RESUME_CHECKINS = ("checkins.view_alert", "checkins.change_checkinhold")
VIEW_SCORES = ("patients.view_patient", "checkins.view_checkin", "checkins.view_checkinanswer")


class AlertPatientSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField()


class AlertMessageSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    body = serializers.CharField(help_text="As written: never translated.")
    received_at = serializers.DateTimeField()
    language = serializers.CharField(allow_blank=True, help_text="As recognised (e.g. es); empty if not recognised.")
    language_name = serializers.SerializerMethodField()

    def get_language_name(self, message: InboundMessage) -> str:
        return language_name_or_blank(message.language)


class AlertAnswerSerializer(serializers.Serializer[Any]):
    check_in_id = serializers.IntegerField()
    kind = serializers.CharField(source="check_in.kind")
    question_index = serializers.IntegerField()
    raw_text = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    received_at = serializers.DateTimeField()


class AlertPageSerializer(serializers.ModelSerializer[AlertPage]):
    paged = serializers.BooleanField(source="was_paged", read_only=True)
    status = serializers.SerializerMethodField(help_text="The page text's outbox status; empty when skipped.")

    class Meta:
        model = AlertPage
        fields = ["round", "step", "who", "paged", "skipped_reason", "created_at", "status"]

    def get_status(self, page: AlertPage) -> str:
        return page.message.status if page.message is not None else ""


class AlertCheckinHoldSerializer(serializers.ModelSerializer[CheckInHold]):
    patient = AlertPatientSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True, help_text="True until a clinician resumes them.")
    resumed_by = StaffMemberSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CheckInHold
        fields = ["patient", "is_open", "started_at", "resumed_at", "resumed_by"]


class AlertSerializer(serializers.ModelSerializer[Alert]):
    patient = AlertPatientSerializer(read_only=True, allow_null=True)
    message = AlertMessageSerializer(source="inbound_message", read_only=True, allow_null=True)
    answer = AlertAnswerSerializer(read_only=True, allow_null=True)
    acknowledged_by = StaffMemberSerializer(read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)
    link = serializers.SerializerMethodField()
    number_shared_by = serializers.SerializerMethodField(
        help_text="Every patient on file with the number the alert came from, when more than one has it."
    )
    pages = AlertPageSerializer(many=True, read_only=True, help_text="Who was paged (or skipped), round by round.")
    checkins_on_hold = serializers.SerializerMethodField(
        help_text="True while this alert holds any patient's automated check-ins."
    )
    checkin_holds = serializers.SerializerMethodField(
        help_text="Each patient whose automated check-ins this alert held (all who share the number, for a "
        "text from a shared number), and whether they are still held."
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "urgency",
            "reason",
            "detail",
            "is_open",
            "opened_at",
            "notify_count",
            "last_notified_at",
            "acknowledged_at",
            "acknowledged_by",
            "note",
            "patient",
            "message",
            "answer",
            "link",
            "number_shared_by",
            "pages",
            "checkins_on_hold",
            "checkin_holds",
        ]

    def get_link(self, alert: Alert) -> str:
        return alert_link(alert.pk)

    def _reader(self) -> Any:
        request = self.context.get("request")
        return request.user if request is not None else None

    @extend_schema_field(AlertPatientSerializer(many=True))
    def get_number_shared_by(self, alert: Alert) -> list[Any]:
        # The patients of the reader's locations (a clinician paged about the alert sees every one it held).
        holders = location_limit_objects(patients_sharing_number(alert_number(alert)), user=self._reader())
        return list(AlertPatientSerializer(holders, many=True).data) if len(holders) > 1 else []

    def _holds(self, alert: Alert) -> list[CheckInHold]:
        return location_limit_objects(alert_checkin_holds(alert), user=self._reader())

    def get_checkins_on_hold(self, alert: Alert) -> bool:
        return any(hold.is_open for hold in self._holds(alert))

    @extend_schema_field(AlertCheckinHoldSerializer(many=True))
    def get_checkin_holds(self, alert: Alert) -> list[Any]:
        return list(AlertCheckinHoldSerializer(self._holds(alert), many=True).data)


class AlertFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=["open", "acknowledged"], required=False)
    patient = serializers.IntegerField(required=False, min_value=1)


class AcknowledgeSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=5000, help_text="What you did: called the patient, 911, ...")
    resume_checkins = serializers.BooleanField(
        default=False,
        help_text="Also resume the automated check-ins held since the crisis text (every patient this alert held).",
    )


class ResumeCheckinsResultSerializer(serializers.Serializer[Any]):
    resumed = serializers.IntegerField(help_text="Held check-ins sent again (their time is still ahead).")
    alert = AlertSerializer()


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Alert]):
    """Risk alerts: open first, urgent before elevated. Clinicians and clinic admins only."""

    serializer_class = AlertSerializer
    permission_classes = [HasRolePermissions]
    required_permissions = {
        "list": VIEW_ALERTS,
        "retrieve": VIEW_ALERTS,
        "acknowledge": CHANGE_ALERTS,
        "resume_checkins": RESUME_CHECKINS,
    }

    def get_queryset(self) -> QuerySet[Alert]:
        return location_limit(selectors.alert_list(), user=self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=["open", "acknowledged"]),
            OpenApiParameter("patient", int, description="Only this patient's alerts."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = AlertFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = location_limit(
            selectors.alert_list(state=filters.validated_data.get("state", "")), user=request.user
        )
        if "patient" in filters.validated_data:
            queryset = queryset.filter(patient_id=filters.validated_data["patient"])
        page = self.paginate_queryset(queryset)
        items = page if page is not None else list(queryset)
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.LIST,
            target_type=Alert._meta.label,
            detail=f"{len(items)} alerts listed",
        )
        data = AlertSerializer(items, many=True, context={"request": request}).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        alert = self.get_object()
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=alert)
        return Response(AlertSerializer(alert, context={"request": request}).data)

    @extend_schema(request=AcknowledgeSerializer, responses={200: AlertSerializer, 409: AlertSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int) -> Response:
        """Acknowledge with a note. An alert already acknowledged answers 409 and keeps the first note."""
        alert = self.get_object()
        payload = AcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changed = alert_acknowledge(
            alert=alert,
            actor=Actor.from_request(request),
            note=payload.validated_data["note"],
            resume_checkins=payload.validated_data["resume_checkins"],
        )
        answer = AlertSerializer(alert, context={"request": request}).data
        return Response(answer, status=status.HTTP_200_OK if changed else status.HTTP_409_CONFLICT)

    @extend_schema(request=None, responses={200: ResumeCheckinsResultSerializer, 409: ResumeCheckinsResultSerializer})
    @action(detail=True, methods=["post"], url_path="resume-checkins")
    def resume_checkins(self, request: Request, pk: int) -> Response:
        """Lift the holds this alert put on check-ins, every patient's. 409 if it holds none (or they were lifted)."""
        alert = self.get_object()
        actor = Actor.from_request(request)
        resumed = checkins_resume_for(alert=alert, actor=actor)
        alert = self.get_object()
        audit_by(actor, action=AuditEvent.Action.VIEW, target=alert, detail="check-in hold")
        result = {"resumed": resumed or 0, "alert": alert}
        body = ResumeCheckinsResultSerializer(result, context={"request": request}).data
        return Response(body, status=status.HTTP_200_OK if resumed is not None else status.HTTP_409_CONFLICT)


class MoodPointSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    score = serializers.IntegerField()
    check_in_id = serializers.IntegerField()


class Phq2PointSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    total = serializers.IntegerField()
    items = serializers.ListField(child=serializers.IntegerField())
    check_in_id = serializers.IntegerField()


class HomeSafePointSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    safe = serializers.BooleanField()
    check_in_id = serializers.IntegerField()


class AlertMarkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    urgency = serializers.CharField()
    reason = serializers.CharField()
    is_open = serializers.BooleanField()


class PatientScoresSerializer(serializers.Serializer[Any]):
    patient_id = serializers.IntegerField()
    mood = MoodPointSerializer(many=True)
    phq2 = Phq2PointSerializer(many=True)
    home_safe = HomeSafePointSerializer(many=True)
    alerts = AlertMarkSerializer(many=True)
    unanswered = serializers.IntegerField(help_text="Check-ins closed without an answer.")


class PatientScoresView(APIView):
    """A patient's check-in scores over time (mood 0-10, PHQ-2 totals 0-6), with the alerts they raised."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": VIEW_SCORES}

    @extend_schema(responses=PatientScoresSerializer)
    def get(self, request: Request, patient_id: int) -> Response:
        patient = located_or_404(Patient.objects.all(), request, pk=patient_id)
        scores = selectors.patient_scores(patient_id=patient.pk)
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=patient, detail="check-in scores")
        return Response(PatientScoresSerializer({"patient_id": patient.pk, **scores.__dict__}).data)
