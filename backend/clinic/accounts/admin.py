from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["occurred_at", "actor", "action", "target_type", "target_id", "detail", "ip_address"]
    list_filter = ["action", "target_type", ("actor", admin.RelatedOnlyFieldListFilter), "occurred_at"]
    search_fields = ["target_id", "actor__username", "ip_address"]
    date_hierarchy = "occurred_at"

    # Append-only: the back office can read the trail, never edit it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
