"""Staff messaging API: a patient's conversation, sending a text by hand, and the inbox."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.actor import Actor
from clinic.accounts.clinical import row_is_clinical
from clinic.accounts.locations import location_limit
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions, located_or_404
from clinic.accounts.services import audit_by
from clinic.patients.models import Patient

from . import selectors
from .adhoc import text_send_ad_hoc
from .inbound import inbox_mark_handled
from .models import DeliveryAttempt, InboundMessage, OutboundMessage


class DeliveryAttemptSerializer(serializers.ModelSerializer[DeliveryAttempt]):
    class Meta:
        model = DeliveryAttempt
        fields = ["started_at", "latency_ms", "outcome", "code", "detail", "provider_message_id"]
        read_only_fields = fields


class ConversationEntrySerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=["outbound", "inbound"])
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    body = serializers.CharField()
    status = serializers.CharField()
    kind = serializers.CharField()
    error_code = serializers.IntegerField(allow_null=True)
    # An outbound text's calls to the provider, newest first (read by whoever may read the text).
    attempts = DeliveryAttemptSerializer(many=True, read_only=True)
    # The language the text is written in (inbound: as recognised, "" when it could not be told; outbound: as
    # sent), with its name for staff; the body is always as written, never translated.
    language = serializers.CharField(allow_blank=True)
    language_name = serializers.SerializerMethodField()

    def get_language_name(self, entry: selectors.ConversationEntry) -> str:
        return selectors.language_name_or_blank(entry.language)


class AdHocTextSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=2000, allow_blank=True)


class OutboundMessageSerializer(serializers.ModelSerializer[OutboundMessage]):
    # A text just written has no attempts yet: its history is read in the patient's conversation.
    class Meta:
        model = OutboundMessage
        fields = ["id", "kind", "to_number", "body", "status", "send_after", "created_at"]


class InboxMessageSerializer(serializers.ModelSerializer[InboundMessage]):
    patient_id = serializers.IntegerField(allow_null=True, read_only=True)
    body = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    # The language the text is written in, as recognised ("" when it could not be told), and its name.
    language_name = serializers.SerializerMethodField()

    def get_language_name(self, message: InboundMessage) -> str:
        return selectors.language_name_or_blank(message.language)

    def get_body(self, message: InboundMessage) -> str:
        return selectors.inbound_body_for(message, clinical=bool(self.context.get("clinical")))

    def get_reply(self, message: InboundMessage) -> str:
        # Our answer to a check-in reply can repeat what the patient said: hidden the same way.
        if self.context.get("clinical") or message.route not in selectors.CLINICAL_ROUTES:
            return message.reply
        return selectors.HIDDEN_BODY

    class Meta:
        model = InboundMessage
        fields = [
            "id",
            "from_number",
            "patient_id",
            "language",
            "language_name",
            "body",
            "route",
            "reply",
            "received_at",
            "handled_at",
        ]


def _patient_or_404(request: Request, patient_id: int) -> Patient:
    return located_or_404(Patient.objects.all(), request, pk=patient_id)


class PatientConversationView(APIView):
    """GET a patient's texts in both directions; POST sends them a text (consent and opt-out apply)."""

    permission_classes = [HasRolePermissions]
    required_permissions = {
        "GET": ("patients.view_patient", "messaging.view_outboundmessage", "messaging.view_inboundmessage"),
        "POST": ("patients.view_patient", "messaging.add_outboundmessage"),
    }

    @extend_schema(responses=ConversationEntrySerializer(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        patient = _patient_or_404(request, patient_id)
        entries = selectors.conversation_for_patient(
            patient_id=patient.pk,
            phone=patient.phone,
            clinical=selectors.can_read_clinical(request.user),
            user=request.user,
        )
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=patient, detail="conversation")
        return Response(ConversationEntrySerializer(entries, many=True).data)

    @extend_schema(request=AdHocTextSerializer, responses={201: OutboundMessageSerializer})
    def post(self, request: Request, patient_id: int) -> Response:
        patient = _patient_or_404(request, patient_id)
        payload = AdHocTextSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = text_send_ad_hoc(patient=patient, body=payload.validated_data["body"], by=Actor.from_request(request))
        return Response(OutboundMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class InboxFilterSerializer(serializers.Serializer[Any]):
    include_handled = serializers.BooleanField(required=False, default=False)


class InboxView(APIView):
    """Texts no route answered (and crisis texts), oldest first, crisis on top."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": ("messaging.view_inboundmessage",)}

    @extend_schema(
        parameters=[OpenApiParameter("include_handled", bool, description="Also list handled messages.")],
        responses=InboxMessageSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = InboxFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        include_handled = filters.validated_data["include_handled"]
        inbox = location_limit(selectors.inbox_messages(include_handled=include_handled), user=request.user)
        messages = list(inbox[:200])
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.LIST,
            target_type=InboundMessage._meta.label,
            detail=f"{len(messages)} inbox messages listed",
        )
        context = {"clinical": selectors.can_read_clinical(request.user)}
        return Response(InboxMessageSerializer(messages, many=True, context=context).data)


class InboxHandledView(APIView):
    """Mark an inbox message handled (idempotent: handling it twice keeps the first handler)."""

    permission_classes = [HasRolePermissions]
    required_permissions = {"POST": ("messaging.view_inboundmessage", "messaging.change_inboundmessage")}

    @extend_schema(request=None, responses=InboxMessageSerializer)
    def post(self, request: Request, message_id: int) -> Response:
        message = located_or_404(InboundMessage.objects.all(), request, pk=message_id)
        if row_is_clinical(message) and not selectors.can_read_clinical(request.user):
            # A crisis text or a check-in answer is the clinician's to handle, not front desk's.
            raise PermissionDenied("Only a clinician may mark a crisis text or a check-in answer handled.")
        actor = Actor.from_request(request)
        user = actor.user_or_none
        message = inbox_mark_handled(message=message, by_user_id=user.pk if user else None)
        audit_by(actor, action=AuditEvent.Action.UPDATE, target=message, detail="marked handled")
        context = {"clinical": selectors.can_read_clinical(request.user)}
        return Response(InboxMessageSerializer(message, context=context).data)
