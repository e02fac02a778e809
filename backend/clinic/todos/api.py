"""Staff API: staff tasks (everyone, by role: front desk sees the non-clinical ones)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.accounts.actor import Actor
from clinic.accounts.api import StaffMemberSerializer
from clinic.accounts.models import AuditEvent
from clinic.accounts.permissions import HasRolePermissions
from clinic.accounts.services import audit_by

from . import selectors
from .models import StaffTask
from .services import staff_task_done

VIEW_TASKS = ("todos.view_stafftask",)
CHANGE_TASKS = ("todos.view_stafftask", "todos.change_stafftask")


class StaffTaskSerializer(serializers.ModelSerializer[StaffTask]):
    done_by = StaffMemberSerializer(read_only=True, allow_null=True)
    patient_name = serializers.SerializerMethodField()

    class Meta:
        model = StaffTask
        fields = [
            "id",
            "kind",
            "detail",
            "is_clinical",
            "patient_id",
            "patient_name",
            "appointment_id",
            "created_at",
            "done_at",
            "done_by",
        ]

    def get_patient_name(self, task: StaffTask) -> str:
        return f"{task.patient.first_name} {task.patient.last_name}"


class StaffTaskFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=["open", "done"], required=False)
    patient = serializers.IntegerField(required=False, min_value=1)


class StaffTaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[StaffTask]):
    """Things to do for patients. Front desk sees the non-clinical ones; clinicians see all."""

    serializer_class = StaffTaskSerializer
    permission_classes = [HasRolePermissions]
    required_permissions = {"list": VIEW_TASKS, "done": CHANGE_TASKS}

    def get_queryset(self) -> QuerySet[StaffTask]:
        return selectors.staff_task_list(user=self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=["open", "done"]),
            OpenApiParameter("patient", int, description="Only this patient's tasks."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = StaffTaskFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.staff_task_list(user=request.user, state=filters.validated_data.get("state", ""))
        if "patient" in filters.validated_data:
            queryset = queryset.filter(patient_id=filters.validated_data["patient"])
        page = self.paginate_queryset(queryset)
        items = page if page is not None else list(queryset)
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.LIST,
            target_type=StaffTask._meta.label,
            detail=f"{len(items)} staff tasks listed",
        )
        data = StaffTaskSerializer(items, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=None, responses=StaffTaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: int) -> Response:
        """Mark the task done (idempotent: doing it twice keeps the first person and time)."""
        task = staff_task_done(task=self.get_object(), by=Actor.from_request(request))
        return Response(StaffTaskSerializer(task).data)
