from __future__ import annotations

from django.contrib import admin

from clinic.accounts.admin_base import StaffModelAdmin

from .models import VisitLinkPolicy


@admin.register(VisitLinkPolicy)
class VisitLinkPolicyAdmin(StaffModelAdmin):
    """Each location's rules for patients changing a session from its link (clinic admins)."""

    list_display = ("clinic", "cancellation_window_hours", "late_change", "horizon_days")
    fields = (
        "clinic",
        "cancellation_window_hours",
        "late_change",
        "policy_text",
        "policy_translations",
        "horizon_days",
    )
