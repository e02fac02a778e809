"""The rota in the back office: clinicians who can be paged (number, consent, director) and shifts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.phone import phone_to_e164

from .models import OnCallClinician, OnCallShift
from .selectors import STEP_NAMES, clinician_problem, on_call_coverage, on_call_coverage_by_location
from .services import on_call_consent_withdraw, on_call_number_set, shift_problems


class OnCallClinicianForm(forms.ModelForm[OnCallClinician]):
    consent_given = forms.BooleanField(
        required=False,
        label="Consent given now",
        help_text=(
            "Tick when this person has agreed to receive urgent pages by text, at any hour, at the number above. "
            "Saved with your name and the time. A new number needs consent again."
        ),
    )

    class Meta:
        model = OnCallClinician
        fields = ["user", "mobile_phone", "is_medical_director", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = get_user_model().objects.filter(is_staff=True)  # type: ignore[attr-defined]

    def clean_mobile_phone(self) -> str:
        return phone_to_e164(self.cleaned_data.get("mobile_phone", ""))


@admin.register(OnCallClinician)
class OnCallClinicianAdmin(AuditedAdminMixin, admin.ModelAdmin[OnCallClinician]):
    form = OnCallClinicianForm
    list_display = ["__str__", "mobile_phone", "consent", "is_medical_director", "is_active", "can_be_paged"]
    list_filter = ["is_medical_director", "is_active"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "mobile_phone"]
    readonly_fields = ["sms_consent_at", "sms_consent_phone", "sms_consent_recorded_by"]
    actions = ["withdraw_consent"]

    def get_fieldsets(self, request: HttpRequest, obj: OnCallClinician | None = None) -> Any:
        return [
            (None, {"fields": ["user", "mobile_phone", "is_medical_director", "is_active"]}),
            ("SMS consent (as staff)", {"fields": ["consent_given", *self.readonly_fields]}),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OnCallClinician]:
        return super().get_queryset(request).select_related("user", "sms_consent_recorded_by")

    @admin.display(description="SMS consent")
    def consent(self, clinician: OnCallClinician) -> str:
        if not clinician.has_sms_consent:
            return "none for this number"
        assert clinician.sms_consent_at is not None
        by = clinician.sms_consent_recorded_by
        return f"{clinician.sms_consent_at:%Y-%m-%d}" + (f" (recorded by {by.get_username()})" if by else "")

    @admin.display(description="Can be paged")
    def can_be_paged(self, clinician: OnCallClinician) -> str:
        problem = clinician_problem(clinician)
        if problem:
            return format_html('<strong style="color:#ba2121">No: {}</strong>', problem)
        return "Yes"

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        assert isinstance(obj, OnCallClinician)
        on_call_number_set(
            clinician=obj,
            mobile_phone=obj.mobile_phone,
            consent_given=bool(form.cleaned_data.get("consent_given")),
            by=Actor.from_request(request).user_or_none,
        )
        super().save_model(request, obj, form, change)

    @admin.action(description="Withdraw SMS consent (stop paging them)", permissions=["change"])
    def withdraw_consent(self, request: HttpRequest, queryset: QuerySet[OnCallClinician]) -> None:
        actor = Actor.from_request(request)
        for clinician in queryset:
            on_call_consent_withdraw(clinician=clinician)
            audit_by(actor, action=AuditEvent.Action.UPDATE, target=clinician, detail="SMS consent withdrawn")
        self.message_user(request, "Consent withdrawn: they are no longer paged.", messages.SUCCESS)


class OnCallShiftForm(forms.ModelForm[OnCallShift]):
    class Meta:
        model = OnCallShift
        fields = ["starts_at", "ends_at", "clinic", "clinician", "backup", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts is None or ends is None:
            return cleaned  # the fields' own errors say what is missing
        candidate = OnCallShift(
            pk=self.instance.pk,
            starts_at=starts,
            ends_at=ends,
            clinician=cleaned.get("clinician"),
            backup=cleaned.get("backup"),
            clinic=cleaned.get("clinic"),
        )
        for field, problem in shift_problems(candidate).items():
            self.add_error(field if field in self.fields else None, problem)
        return cleaned


@admin.register(OnCallShift)
class OnCallShiftAdmin(AuditedAdminMixin, admin.ModelAdmin[OnCallShift]):
    form = OnCallShiftForm
    list_display = ["starts_at", "ends_at", "location", "clinician", "backup", "now", "note"]
    list_filter = ["clinician", "clinic", "starts_at"]
    date_hierarchy = "starts_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[OnCallShift]:
        return super().get_queryset(request).select_related("clinician__user", "backup__user", "clinic")

    @admin.display(description="Location", ordering="clinic__name")
    def location(self, shift: OnCallShift) -> str:
        return shift.clinic.name if shift.clinic is not None else "Every location without its own shift"

    @admin.display(description="Now", boolean=True)
    def now(self, shift: OnCallShift) -> bool:
        return shift.starts_at <= timezone.now() < shift.ends_at

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        coverage = on_call_coverage()
        if coverage.warning:
            self.message_user(request, coverage.warning, messages.ERROR)
        elif coverage.covering is not None:
            self.message_user(
                request,
                f"Now paged first: {coverage.covering.who} ({STEP_NAMES[coverage.covering.step]}).",
                messages.INFO,
            )
        by_location = on_call_coverage_by_location()
        if len(by_location) > 1:  # with several locations, say where an alert would page nobody on call
            for location, covered in by_location.items():
                if covered.gap:
                    self.message_user(request, f"{location.name}: {covered.warning}", messages.WARNING)
        return super().changelist_view(request, extra_context)
