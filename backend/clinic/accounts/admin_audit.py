from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from .actor import Actor
from .admin_base import StaffModelAdmin
from .models import AuditEvent
from .services import audit_by


class AuditedAdminMixin(StaffModelAdmin):
    """Leave an audit event whenever staff list, open, change or delete records in the admin."""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            shown = getattr(response, "context_data", {}).get("cl")
            audit_by(
                Actor.from_request(request),
                action=AuditEvent.Action.LIST,
                target_type=self.model._meta.label,
                detail=f"{len(shown.result_list) if shown is not None else 0} listed in admin",
            )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            audit_by(
                Actor.from_request(request),
                action=AuditEvent.Action.VIEW,
                target_type=self.model._meta.label,
                target_id=str(object_id),
                detail="opened in admin",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = ", ".join(form.changed_data) if change and form is not None else ""
        audit_by(
            Actor.from_request(request),
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            target=obj,
            detail=f"admin: {changed}" if changed else "admin",
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        audit_by(Actor.from_request(request), action=AuditEvent.Action.DELETE, target=obj, detail="admin")
        super().delete_model(request, obj)
