from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.locations import location_limit
from clinic.core.languages import LANGUAGE_DEFAULT, language_choices
from clinic.core.phone import phone_to_e164
from clinic.core.timezones import validate_timezone_name

from .models import Patient
from .selectors import patients_with_number_counts
from .services import EDITABLE_FIELDS, patient_update


class PatientForm(forms.ModelForm[Patient]):
    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "email",
            "timezone",
            "language",
            "reminder_channel",
            "clinic",
        ]
        widgets = {"language": forms.Select(choices=language_choices())}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reminder_channel"].required = False  # left out: automatic
        self.fields["language"].required = False  # left out: English

    def clean_language(self) -> str:
        return str(self.cleaned_data.get("language") or LANGUAGE_DEFAULT)

    def clean_phone(self) -> str:
        return phone_to_e164(self.cleaned_data.get("phone", ""))

    def clean_reminder_channel(self) -> str:
        return str(self.cleaned_data.get("reminder_channel") or Patient.ReminderChannel.AUTOMATIC)

    def clean_timezone(self) -> str:
        value: str = self.cleaned_data.get("timezone", "")
        validate_timezone_name(value)
        return value


class SmsConsentFilter(admin.SimpleListFilter):
    title = "SMS consent"
    parameter_name = "sms_consent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Recorded"), ("no", "Not recorded")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(sms_consent_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(sms_consent_at__isnull=True)
        return queryset


class SharedNumberFilter(admin.SimpleListFilter):
    title = "phone number"
    parameter_name = "shared_number"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Shared with another patient"), ("no", "Only this patient")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(number_holders__gt=1)
        if self.value() == "no":
            return queryset.filter(number_holders=1)
        return queryset


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin):
    form = PatientForm
    list_display = [
        "last_name",
        "first_name",
        "date_of_birth",
        "phone",
        "email",
        "shared_number",
        "has_sms_consent",
        "timezone",
        "language",
        "clinic",
        "created_at",
    ]
    list_display_links = ["last_name", "first_name"]
    list_filter = [
        SmsConsentFilter,
        SharedNumberFilter,
        "clinic",
        "sms_consent_source",
        "timezone",
        "language",
        "created_at",
    ]
    search_fields = ["first_name", "last_name", "phone", "email"]
    date_hierarchy = "created_at"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "date_of_birth",
                    "phone",
                    "email",
                    "timezone",
                    "language",
                    "clinic",
                ]
            },
        ),
        (
            "SMS consent",
            {"fields": ["sms_consent_at", "sms_consent_version", "sms_consent_source", "sms_consent_phone"]},
        ),
        (
            "Email consent and reminders",
            {
                "fields": [
                    "email_consent_at",
                    "email_consent_version",
                    "email_consent_source",
                    "email_consent_address",
                    "reminder_channel",
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "created_by"]}),
    ]
    readonly_fields = [
        "created_at",
        "created_by",
        "sms_consent_at",
        "sms_consent_version",
        "sms_consent_source",
        "sms_consent_phone",
        "email_consent_at",
        "email_consent_version",
        "email_consent_source",
        "email_consent_address",
    ]
    # No inlines of its own: apps above patients add theirs with inline_add (scheduling: coming sessions).

    def get_queryset(self, request: HttpRequest) -> QuerySet[Patient]:
        # Another patient on the number counts only if the reader may see them (accounts/locations.py).
        visible = location_limit(Patient.objects.all(), user=request.user)
        return patients_with_number_counts(super().get_queryset(request), among=visible)

    @admin.display(description="number shared by", ordering="number_holders")
    def shared_number(self, patient: Patient) -> str:
        holders = getattr(patient, "number_holders", 1)
        return f"{holders} patients" if holders > 1 else "-"

    @admin.display(boolean=True, description="SMS consent", ordering="sms_consent_at")
    def has_sms_consent(self, patient: Patient) -> bool:
        return patient.sms_consent_at is not None

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        if change and isinstance(obj, Patient):
            # Through the service: a new number drops consent given for the old one and re-addresses
            # or cancels the texts still pending for it (the service audits the change).
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
            patient_update(actor=Actor.from_request(request), patient=obj, changes=changes)
            obj.refresh_from_db()
            return
        if isinstance(obj, Patient):
            obj.created_by = Actor.from_request(request).user_or_none
            if obj.sms_consent_at is not None:
                obj.sms_consent_phone = obj.phone
        super().save_model(request, obj, form, change)
