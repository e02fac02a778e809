from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.admin_base import StaffModelAdmin
from clinic.core.languages import language_codes, language_name
from clinic.core.phone import phone_to_e164

from . import services
from .models import Inquiry, InquiryNote, InquirySubmission, Reason, Screening
from .triage import triage_annotate, triage_rank


class InquiryNoteInline(admin.TabularInline[InquiryNote, Inquiry]):
    model = InquiryNote
    extra = 1
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]


class ScreeningForm(forms.ModelForm[Screening]):
    class Meta:
        model = Screening
        fields = [*Screening.CONTRAINDICATIONS, "result", "notes"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        present = [name for name in Screening.CONTRAINDICATIONS if data.get(name)]
        services.screening_check(result=data.get("result", ""), contraindications=present)
        return data


class InquiryForm(forms.ModelForm[Inquiry]):
    """The admin's inquiry form: the same phone format and contact rules as the staff API."""

    class Meta:
        model = Inquiry
        fields = [
            "assigned_to",
            "clinic",
            "first_name",
            "last_name",
            "phone",
            "email",
            "preferred_contact_method",
            "best_time_to_reach",
            "reasons",
            "prior_treatments",
            "message",
        ]

    def clean_phone(self) -> str:
        return phone_to_e164(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("preferred_contact_method") == Inquiry.ContactMethod.EMAIL and not data.get("email"):
            self.add_error("email", "An email address is needed when email is the preferred contact.")
        return data


class ScreeningInline(admin.StackedInline[Screening, Inquiry]):
    model = Screening
    form = ScreeningForm
    extra = 0
    max_num = 1
    can_delete = False
    fields = [*Screening.CONTRAINDICATIONS, "result", "notes", "screened_by", "screened_at"]
    readonly_fields = ["screened_by", "screened_at"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("intake.view_screening")


class InquirySubmissionInline(admin.TabularInline[InquirySubmission, Inquiry]):
    model = InquirySubmission
    extra = 0
    can_delete = False
    fields = ["reference", "received_at", "source", "merged", "phone", "sms_consent_at"]
    readonly_fields = ["reference", "received_at", "source", "merged", "phone", "sms_consent_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PreferredLanguageFilter(admin.SimpleListFilter):
    """The configured languages, named for staff ("Spanish"), filtering on the code stored."""

    title = "preferred language"
    parameter_name = "preferred_language"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(code, language_name(code)) for code in language_codes()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(preferred_language=self.value()) if self.value() else queryset


def _transition_action(to_status: str, label: str) -> Any:
    @admin.action(description=f"Mark selected as {label.lower()}", permissions=["change"])
    def mark(modeladmin: InquiryAdmin, request: HttpRequest, queryset: QuerySet[Inquiry]) -> None:
        moved, refused = 0, []
        for inquiry in queryset:
            try:
                services.inquiry_transition(inquiry=inquiry, by=Actor.from_request(request), to_status=to_status)
                moved += 1
            except ValidationError as exc:
                refused.append(f"{inquiry.reference}: {' '.join(exc.messages)}")
        if moved:
            noun = "inquiry" if moved == 1 else "inquiries"
            modeladmin.message_user(request, f"{moved} {noun} marked {label.lower()}.", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, line, messages.WARNING)

    mark.__name__ = f"mark_{to_status}"
    return mark


@admin.register(Inquiry)
class InquiryAdmin(AuditedAdminMixin):
    form = InquiryForm
    list_display = [
        "reference",
        "triage_badge",
        "created_at",
        "first_name",
        "last_name",
        "phone",
        "preferred_contact_method",
        "preferred_language_name",
        "clinic",
        "reason_list",
        "status",
        "assigned_to",
        "sms_consent",
    ]
    list_filter = [
        "status",
        "clinic",
        "reasons",
        "preferred_contact_method",
        PreferredLanguageFilter,
        "assigned_to",
        "sms_consent",
        "created_at",
    ]
    search_fields = ["reference", "first_name", "last_name", "phone", "email"]
    date_hierarchy = "created_at"
    list_select_related = ["assigned_to", "clinic"]
    list_per_page = 50
    autocomplete_fields = ["assigned_to"]
    filter_horizontal = ["reasons"]
    readonly_fields = [
        "reference",
        "status",
        "patient",
        "source",
        "preferred_language_name",
        "sms_consent",
        "sms_consent_at",
        "sms_consent_version",
        "sms_consent_source",
        "sms_consent_phone",
        "privacy_acknowledged_at",
        "adult_confirmed_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "status", "clinic", "assigned_to", "patient"]}),
        (
            "Contact",
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "phone",
                    "email",
                    "preferred_contact_method",
                    "preferred_language_name",
                    "best_time_to_reach",
                ]
            },
        ),
        ("What they told us", {"fields": ["reasons", "prior_treatments", "message"]}),
        (
            "Consent",
            {
                "fields": [
                    "sms_consent",
                    "sms_consent_at",
                    "sms_consent_version",
                    "sms_consent_source",
                    "sms_consent_phone",
                    "privacy_acknowledged_at",
                    "adult_confirmed_at",
                    "source",
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [ScreeningInline, InquiryNoteInline, InquirySubmissionInline]
    actions = [
        _transition_action(Inquiry.Status.CONTACTED, "Contacted"),
        _transition_action(Inquiry.Status.SCREENING, "Screening"),
        _transition_action(Inquiry.Status.CLOSED, "Closed"),
        "convert_to_patient",
    ]

    @admin.display(description="Preferred language", ordering="preferred_language")
    def preferred_language_name(self, inquiry: Inquiry) -> str:
        return language_name(inquiry.preferred_language)

    @admin.display(description="Reasons")
    def reason_list(self, inquiry: Inquiry) -> str:
        return ", ".join(reason.label for reason in inquiry.reasons.all())

    @admin.display(description="Flag")
    def triage_badge(self, inquiry: Inquiry) -> str:
        return getattr(inquiry, "triage_badge", "")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Inquiry]:
        return triage_annotate(super().get_queryset(request).prefetch_related("reasons"))

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        # Flagged inquiries (a self-booked consultation, say: triage.py) first, then newest first.
        return [triage_rank().asc(), "-created_at", "-id"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Through the services: a new number drops consent given for the old one and cancels the
        # texts still pending for it; the services audit the change.
        actor = Actor.from_request(request)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE_FIELDS}
        if changes:
            services.inquiry_update(inquiry=obj, by=actor, changes=changes)
        if "assigned_to" in form.changed_data:
            assignee = form.cleaned_data["assigned_to"]
            services.inquiry_assign(inquiry=obj, by=actor, assignee_id=assignee.pk if assignee else None)
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for instance in formset.save(commit=False):
            if isinstance(instance, Screening):
                # Through the service, so the inquiry's status follows the result.
                services.screening_record(
                    inquiry=form.instance,
                    by=Actor.from_request(request),
                    checklist={name: getattr(instance, name) for name in Screening.CONTRAINDICATIONS},
                    result=instance.result,
                    notes=instance.notes,
                )
                continue
            if isinstance(instance, InquiryNote) and instance.author_id is None:
                instance.author = Actor.from_request(request).user_or_none
            instance.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()

    def has_convert_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(["intake.convert_inquiry", "patients.add_patient"])

    @admin.action(description="Convert selected eligible inquiries to patients", permissions=["convert"])
    def convert_to_patient(self, request: HttpRequest, queryset: QuerySet[Inquiry]) -> None:
        for inquiry in queryset:
            try:
                patient = services.inquiry_convert_to_patient(inquiry=inquiry, by=Actor.from_request(request))
                self.message_user(request, f"{inquiry.reference} is now patient #{patient.pk}.", messages.SUCCESS)
            except ValidationError as exc:
                self.message_user(request, f"{inquiry.reference}: {' '.join(exc.messages)}", messages.WARNING)


@admin.register(Reason)
class ReasonAdmin(StaffModelAdmin):
    list_display = ["code", "label", "position"]
