"""Staff API: a patient's questionnaires and results (clinicians and clinic admins; audited), and sending one now."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions, located_or_404
from clinic.accounts.services import audit_by
from clinic.patients.models import Patient

from .instruments import INSTRUMENTS, instrument_get, instrument_score
from .models import QuestionnaireAssignment
from .selectors import patient_assignments
from .services import assignment_send_now

VIEW = ("patients.view_patient", "measures.view_questionnaireassignment")
SEND = (*VIEW, "measures.add_questionnaireassignment")


class AnswerSerializer(serializers.Serializer[Any]):
    link_id = serializers.CharField()
    position = serializers.IntegerField()
    text = serializers.CharField(help_text="The item's English wording.")
    value = serializers.IntegerField(allow_null=True, help_text="Empty when not (yet) answered.")


class AssignmentSerializer(serializers.ModelSerializer[QuestionnaireAssignment]):
    instrument_title = serializers.SerializerMethodField()
    band_label = serializers.SerializerMethodField()
    answered = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField(help_text="Every item, with the patient's answer if given.")

    class Meta:
        model = QuestionnaireAssignment
        fields = [
            "id",
            "instrument",
            "instrument_title",
            "purpose",
            "status",
            "appointment",
            "series",
            "weeks_after",
            "language",
            "due_at",
            "expires_at",
            "opened_at",
            "completed_at",
            "reminded_at",
            "total",
            "band",
            "band_label",
            "answered",
            "urgent_alert",
            "items",
            "created_at",
        ]
        read_only_fields = fields

    def get_instrument_title(self, assignment: QuestionnaireAssignment) -> str:
        return instrument_get(assignment.instrument).title_in("en")

    def get_band_label(self, assignment: QuestionnaireAssignment) -> str:
        instrument = instrument_get(assignment.instrument)
        return next((band.label_in("en") for band in instrument.bands if band.code == assignment.band), "")

    def get_answered(self, assignment: QuestionnaireAssignment) -> int:
        return instrument_score(instrument_get(assignment.instrument), assignment.answers).answered

    @extend_schema(responses=AnswerSerializer(many=True))
    def get_items(self, assignment: QuestionnaireAssignment) -> list[dict[str, Any]]:
        instrument = instrument_get(assignment.instrument)
        return [
            {
                "link_id": item.link_id,
                "position": item.position,
                "text": item.text_in("en"),
                "value": assignment.answers.get(item.link_id),
            }
            for item in instrument.items
        ]


class SendSerializer(serializers.Serializer[Any]):
    instrument = serializers.ChoiceField(choices=sorted(INSTRUMENTS))


class PatientQuestionnairesView(APIView):
    """A patient's questionnaires, newest first: status, answers, total and severity band."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": VIEW}

    @extend_schema(responses=AssignmentSerializer(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        patient = located_or_404(Patient.objects.all(), request, pk=patient_id)
        assignments = list(patient_assignments(patient_id=patient.pk)[:200])
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=patient, detail="questionnaires")
        return Response(AssignmentSerializer(assignments, many=True).data)


class QuestionnaireSendView(APIView):
    """Send the patient a questionnaire now (a link by text; texting hours and consent still apply)."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"POST": SEND}

    @extend_schema(request=SendSerializer, responses={201: AssignmentSerializer})
    def post(self, request: Request, patient_id: int) -> Response:
        patient = located_or_404(Patient.objects.all(), request, pk=patient_id)
        payload = SendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = assignment_send_now(
            actor=Actor.from_request(request), patient=patient, instrument=payload.validated_data["instrument"]
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)
