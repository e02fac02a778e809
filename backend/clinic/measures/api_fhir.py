"""FHIR R4 read endpoints on the staff API (fhir.py builds the resources):

- GET /api/v1/measures/fhir/Questionnaire/<code>: an instrument as a Questionnaire.
- GET /api/v1/measures/fhir/QuestionnaireResponse/<id>: a completed questionnaire as a QuestionnaireResponse.

Clinicians and clinic admins only (front desk: 403), audited; a questionnaire of a patient outside the
caller's locations, or not completed, answers 404 like a missing one. Bodies are `application/fhir+json`,
errors an OperationOutcome.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.actor import Actor
from clinic.accounts.clinical import CLINICAL_PERMISSION
from clinic.accounts.locations import location_limit
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions
from clinic.accounts.services import audit_by
from clinic.patients.models import Patient

from .fhir import FHIR_JSON, operation_outcome, questionnaire_resource, questionnaire_response_resource
from .instruments import INSTRUMENTS, instrument_get
from .models import QuestionnaireAssignment

VIEW_RESPONSES = (CLINICAL_PERMISSION,)
OUTCOME = OpenApiResponse(OpenApiTypes.OBJECT, description="A FHIR OperationOutcome naming the problem.")
RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.OBJECT, description="The FHIR R4 resource."),
    401: OUTCOME,
    403: OUTCOME,
    404: OUTCOME,
}


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class FhirNegotiation(BaseContentNegotiation):
    """Always FHIR JSON, whatever Accept or ?format say (FHIR clients send application/json too)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


class FhirView(APIView):
    permission_classes = [HasRolePermissions]
    required_permissions = {"GET": VIEW_RESPONSES}
    renderer_classes = [FhirJSONRenderer]
    content_negotiation_class = FhirNegotiation

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, APIException) and response is not None:
            code = {401: "login", 403: "forbidden", 404: "not-found"}.get(response.status_code, "processing")
            response.data = operation_outcome(code=code, diagnostics=str(exc.detail))
        return response


class QuestionnaireView(FhirView):
    @extend_schema(responses=RESPONSES, summary="An instrument as a FHIR R4 Questionnaire")
    def get(self, request: Request, code: str) -> Response:
        if code not in INSTRUMENTS:
            raise NotFound("No questionnaire with that id.")
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.VIEW,
            target_type="measures.Questionnaire",
            target_id=code,
            detail="FHIR Questionnaire",
        )
        return Response(questionnaire_resource(instrument_get(code)), content_type=FHIR_JSON)


class QuestionnaireResponseView(FhirView):
    @extend_schema(responses=RESPONSES, summary="A completed questionnaire as a FHIR R4 QuestionnaireResponse")
    def get(self, request: Request, pk: str) -> Response:
        if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
            raise NotFound("No completed questionnaire with that id.")
        visible = location_limit(Patient.objects.all(), user=request.user)
        assignment = (
            QuestionnaireAssignment.objects.filter(
                pk=int(pk),
                patient__in=visible,
                status=QuestionnaireAssignment.Status.COMPLETED,
                completed_at__isnull=False,
            )
            .select_related("patient")
            .first()
        )
        if assignment is None or assignment.total is None or assignment.completed_at is None:
            raise NotFound("No completed questionnaire with that id.")
        resource: dict[str, Any] = questionnaire_response_resource(
            response_id=assignment.pk,
            instrument=instrument_get(assignment.instrument),
            patient_id=assignment.patient_id,
            answers={str(k): int(v) for k, v in dict(assignment.answers).items()},
            total=assignment.total,
            completed_at=assignment.completed_at,
            language=assignment.language,
        )
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.VIEW,
            target=assignment,
            detail="FHIR QuestionnaireResponse",
        )
        return Response(resource, status=status.HTTP_200_OK, content_type=FHIR_JSON)
