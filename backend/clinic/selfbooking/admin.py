from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.admin_base import StaffModelAdmin
from clinic.intake.api.public import REASON_CHOICES

from .models import SelfBookableType, SelfBooking, SelfBookingLocation
from .services import selfbooking_confirm


@admin.register(SelfBookableType)
class SelfBookableTypeAdmin(StaffModelAdmin):
    """Marking a session type self-bookable: the model's clean() refuses a chair, dosing or in-person type."""

    list_display = ["session_type", "confirmation", "earliest_hours", "latest_days", "slots_shown", "link_valid_hours"]
    list_select_related = ["session_type__clinic"]
    fields = ["session_type", "confirmation", "earliest_hours", "latest_days", "slots_shown", "link_valid_hours"]


class SelfBookingLocationForm(forms.ModelForm[SelfBookingLocation]):
    excluded_reasons = forms.MultipleChoiceField(
        choices=REASON_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A person who ticks any of these on the contact form is called instead of offered times.",
    )

    class Meta:
        model = SelfBookingLocation
        fields = ["location", "enabled", "consult", "excluded_reasons"]


@admin.register(SelfBookingLocation)
class SelfBookingLocationAdmin(StaffModelAdmin):
    form = SelfBookingLocationForm
    list_display = ["location", "enabled", "consult", "excluded_reason_list"]
    list_select_related = ["location", "consult__session_type"]

    @admin.display(description="Excluded reasons")
    def excluded_reason_list(self, setup: SelfBookingLocation) -> str:
        return ", ".join(setup.excluded_reasons) or "none"


@admin.register(SelfBooking)
class SelfBookingAdmin(AuditedAdminMixin):
    """Self-booked first consultations: the requested ones wait for front desk (and top the triage list)."""

    list_display = ["inquiry", "state", "appointment", "created_at", "confirmed_at"]
    list_filter = ["state"]
    list_select_related = ["inquiry", "appointment__session_type__clinic"]
    fields = ["inquiry", "appointment", "state", "created_at", "confirmed_at", "confirmed_by"]
    readonly_fields = ["inquiry", "appointment", "state", "created_at", "confirmed_at", "confirmed_by"]
    actions = ["confirm"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Confirm the requested time", permissions=["change"])
    def confirm(self, request: HttpRequest, queryset: QuerySet[SelfBooking]) -> None:
        done = 0
        for booking in queryset.filter(state=SelfBooking.State.REQUESTED):
            selfbooking_confirm(booking=booking, by=Actor.from_request(request))
            done += 1
        self.message_user(request, f"{done} requested time(s) confirmed.", messages.SUCCESS)
