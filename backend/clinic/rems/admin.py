"""Back office for esketamine (REMS) sessions.

Clinic admins mark session types as REMS sessions and set each location's limits. Every staff role ticks
a patient's REMS enrollment (paperwork that booking waits for). Monitoring records, their print page, PDF
and tracker are clinical: clinicians and clinic admins only; front desk sees none of them (not even the
tracker: they get the day-5 task, which names no clinical value).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.admin_base import StaffModelAdmin
from clinic.accounts.locations import staff_location_ids
from clinic.accounts.models import AuditEvent
from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN
from clinic.accounts.services import audit_by
from clinic.scheduling.models import Appointment

from .form import monitoring_form_pdf, monitoring_form_sections, monitoring_form_title
from .models import NOT_SUBMITTING, MonitoringRecord, RemsEnrollment, RemsLocationSettings, RemsSessionType
from .selectors import FormDeadline, FormState, form_deadline, monitoring_record_ids_in_state, rems_settings_for
from .services import (
    FILLABLE_STATUSES,
    RECORD_FIELDS,
    monitoring_record_check,
    monitoring_record_mark_submitted,
    monitoring_record_save,
    rems_enrollment_complete,
)


@admin.register(RemsSessionType)
class RemsSessionTypeAdmin(StaffModelAdmin):
    """The session types whose sessions are esketamine sessions: each needs an enrolled patient and a
    monitoring record."""

    list_display = ["session_type", "location", "created_at"]
    fields = ["session_type"]

    @admin.display(description="Location")
    def location(self, row: RemsSessionType) -> str:
        return str(row.session_type.clinic)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RemsSessionType]:
        return super().get_queryset(request).select_related("session_type__clinic")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        subtitle = (
            "Sessions of these types need a REMS-enrolled patient to be booked, and a monitoring record "
            "filled during the session. " + NOT_SUBMITTING
        )
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": subtitle})


@admin.register(RemsLocationSettings)
class RemsLocationSettingsAdmin(StaffModelAdmin):
    """A location's blood-pressure threshold, monitoring time and form deadline (defaults without a row)."""

    list_display = ["clinic", "systolic_max", "diastolic_max", "monitoring_minutes", "deadline_days", "task_day"]


class EnrollmentForm(forms.ModelForm[RemsEnrollment]):
    class Meta:
        model = RemsEnrollment
        fields = ["patient", "note"]
        labels = {"patient": "Patient (REMS patient enrollment form completed)"}


@admin.register(RemsEnrollment)
class RemsEnrollmentAdmin(AuditedAdminMixin):
    """The checklist item "REMS patient enrollment form completed", per patient, with who and when."""

    form = EnrollmentForm
    list_display = ["patient", "completed_at", "completed_by", "note"]
    search_fields = ["patient__last_name", "patient__first_name"]
    autocomplete_fields = ["patient"]
    readonly_fields = ["completed_at", "completed_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "patient"] if obj is not None else self.readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[RemsEnrollment]:
        return super().get_queryset(request).select_related("patient", "completed_by")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = rems_enrollment_complete(actor=Actor.from_request(request), patient=obj.patient, note=obj.note)
        obj.pk = saved.pk
        obj.refresh_from_db()


class FormStateFilter(admin.SimpleListFilter):
    title = "REMS form"
    parameter_name = "form"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return FormState.CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value in {code for code, _ in FormState.CHOICES}:
            return monitoring_record_ids_in_state(queryset, state=str(value))
        return queryset


class MarkSubmittedActionForm(ActionForm):
    reference = forms.CharField(
        required=False, max_length=80, label="REMS confirmation", help_text="For 'mark submitted'."
    )


def discharge_deciders(reader: Any) -> QuerySet[User]:
    """Who may be named as deciding a discharge: active clinicians and clinic admins, and, to staff limited to
    locations, only those who work at one of theirs or everywhere (never a list that tells who works elsewhere)."""
    deciders = User.objects.filter(is_active=True, groups__name__in=(CLINICIAN, CLINIC_ADMIN))
    visible = staff_location_ids(reader)
    if visible is not None:
        deciders = deciders.filter(Q(staff_locations__isnull=True) | Q(staff_locations__clinic_id__in=visible))
    return deciders.distinct().order_by("username")


class MonitoringRecordForm(forms.ModelForm[MonitoringRecord]):
    """The record as staff fill it; impossible values are refused by field, warnings shown after saving."""

    class Meta:
        model = MonitoringRecord
        fields = ["appointment", *RECORD_FIELDS]

    user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        appointment = data.get("appointment") or self.instance.appointment
        if appointment.status not in FILLABLE_STATUSES:
            self.add_error(None, "Only a checked-in or completed session has a monitoring record to fill.")
            return data
        values = {name: data.get(name) for name in RECORD_FIELDS}
        if values["discharged_at"] is not None and values["discharge_decided_by"] is None:
            values["discharge_decided_by"] = self.user
        try:
            monitoring_record_check(appointment=appointment, values=values)
        except ValidationError as error:
            for field, found in error.message_dict.items():
                self.add_error(field if field in self.fields else None, found)
        return data


BP_HELP = "Systolic / diastolic (mmHg) and the time of the reading."


@admin.register(MonitoringRecord)
class MonitoringRecordAdmin(AuditedAdminMixin):
    """Each REMS session's monitoring record and the tracker of forms to submit (filter "REMS form")."""

    form = MonitoringRecordForm
    action_form = MarkSubmittedActionForm
    actions = ["mark_submitted"]
    list_display = ["session", "patient", "session_day", "due_day", "days_left", "form_state", "submitted_at", "links"]
    list_filter = [FormStateFilter]
    search_fields = ["appointment__patient__last_name", "appointment__patient__first_name"]
    fieldsets = [
        (None, {"fields": ["appointment"]}),
        (
            "Concomitant medication (may cause sedation or blood pressure changes)",
            {"fields": ["takes_benzodiazepines", "takes_sedative_hypnotics", "takes_psychostimulants", "takes_maois"]},
        ),
        ("Dosing", {"fields": ["dose_mg", "lot_number", "first_dose_at", "last_dose_at"]}),
        (
            "Blood pressure",
            {
                "description": BP_HELP,
                "fields": [
                    ("bp_pre_systolic", "bp_pre_diastolic", "bp_pre_at"),
                    ("bp_40_systolic", "bp_40_diastolic", "bp_40_at"),
                    ("bp_discharge_systolic", "bp_discharge_diastolic", "bp_discharge_at"),
                    "vitals_ok_before_dosing",
                    "vitals_ok_at_discharge",
                ],
            },
        ),
        (
            "Observations",
            {
                "fields": [
                    "sedation",
                    "dissociation",
                    "respiratory_depression",
                    "observation_notes",
                    "adverse_events",
                    "ready_to_leave_minutes",
                ]
            },
        ),
        ("Discharge", {"fields": ["discharged_at", "discharge_decided_by"]}),
        ("Warnings at entry", {"fields": ["warnings_shown"]}),
        (
            "REMS submission",
            {
                "description": NOT_SUBMITTING,
                "fields": ["deadline_shown", "submitted_at", "submitted_by", "submission_reference", "links"],
            },
        ),
    ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        subtitle = "Forms to submit within 7 calendar days of the session (filter: REMS form). " + NOT_SUBMITTING
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": subtitle})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        shown = ["warnings_shown", "deadline_shown", "submitted_at", "submitted_by", "submission_reference", "links"]
        return [*shown, "appointment"] if obj is not None else shown

    def get_queryset(self, request: HttpRequest) -> QuerySet[MonitoringRecord]:
        return (
            super()
            .get_queryset(request)
            .select_related("appointment__session_type__clinic", "appointment__patient", "submitted_by")
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A form marked submitted is what the REMS received: it is read, no longer changed.
        if isinstance(obj, MonitoringRecord) and obj.is_submitted:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a clinical record

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        # A class made for this request (modelform_factory): who decided a discharge left blank is its user.
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user if isinstance(request.user, User) else None
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "appointment":
            kwargs["queryset"] = Appointment.objects.filter(
                session_type__rems__isnull=False, status__in=FILLABLE_STATUSES, monitoring_record__isnull=True
            ).select_related("session_type__clinic", "patient")
        if db_field.name == "discharge_decided_by":
            kwargs["queryset"] = discharge_deciders(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The service writes and audits it (AuditedAdminMixin's own save would audit it twice).
        values = {name: form.cleaned_data.get(name) for name in RECORD_FIELDS}
        appointment = form.cleaned_data.get("appointment") or obj.appointment
        saved = monitoring_record_save(actor=Actor.from_request(request), appointment=appointment, values=values)
        obj.pk = saved.pk
        obj.refresh_from_db()
        for warning in saved.warnings:
            messages.warning(request, f"Warning: {warning['message']}")

    # --- Columns ----------------------------------------------------------------------------------

    def _deadline(self, record: MonitoringRecord) -> FormDeadline | None:
        if record.appointment.status != Appointment.Status.COMPLETED:
            return None
        limits = rems_settings_for(clinic_id=record.appointment.session_type.clinic_id)
        return form_deadline(appointment=record.appointment, limits=limits, submitted=record.is_submitted)

    @admin.display(description="Session")
    def session(self, record: MonitoringRecord) -> str:
        return str(record.appointment)

    @admin.display(description="Patient")
    def patient(self, record: MonitoringRecord) -> str:
        patient = record.appointment.patient
        return f"{patient.first_name} {patient.last_name}"

    @admin.display(description="Session day")
    def session_day(self, record: MonitoringRecord) -> str:
        deadline = self._deadline(record)
        return f"{deadline.session_day:%a %Y-%m-%d}" if deadline else "-"

    @admin.display(description="Due by")
    def due_day(self, record: MonitoringRecord) -> str:
        deadline = self._deadline(record)
        return f"{deadline.due_day:%a %Y-%m-%d}" if deadline else "-"

    @admin.display(description="Days left")
    def days_left(self, record: MonitoringRecord) -> str:
        deadline = self._deadline(record)
        if deadline is None or deadline.submitted:
            return "-"
        return str(deadline.days_left)

    @admin.display(description="Form")
    def form_state(self, record: MonitoringRecord) -> str:
        deadline = self._deadline(record)
        if deadline is None:
            return "Session not completed"
        return dict(FormState.CHOICES)[deadline.state]

    @admin.display(description="Deadline")
    def deadline_shown(self, record: MonitoringRecord) -> str:
        deadline = self._deadline(record)
        if deadline is None:
            return "Counted from the session once it is marked completed."
        state = dict(FormState.CHOICES)[deadline.state]
        return f"{state}: due by {deadline.due_day:%a %Y-%m-%d} (location's calendar), {deadline.days_left} days left"

    @admin.display(description="Warnings")
    def warnings_shown(self, record: MonitoringRecord) -> str:
        found = record.warnings or []
        return "; ".join(warning.get("message", "") for warning in found) or "None"

    @admin.display(description="Form")
    def links(self, record: MonitoringRecord) -> str:
        if record.pk is None:
            return "-"
        return format_html(
            '<a href="{}">print</a> · <a href="{}">PDF</a>',
            reverse("admin:rems_monitoringrecord_print", args=[record.pk]),
            reverse("admin:rems_monitoringrecord_pdf", args=[record.pk]),
        )

    # --- Mark submitted -----------------------------------------------------------------------------

    @admin.action(
        description="Mark submitted to the REMS (after submitting on its portal or by fax)", permissions=["change"]
    )
    def mark_submitted(self, request: HttpRequest, queryset: QuerySet[MonitoringRecord]) -> None:
        reference = request.POST.get("reference", "").strip()
        if not reference:
            self.message_user(request, "Give the REMS confirmation number to mark forms submitted.", messages.ERROR)
            return
        actor = Actor.from_request(request)
        marked, refused = 0, []
        for record in queryset:
            try:
                marked += monitoring_record_mark_submitted(actor=actor, record=record, reference=reference)
            except ValidationError as error:
                refused.append(
                    f"{self.patient(record)}: {'; '.join(f'{k} ({v[0]})' for k, v in error.message_dict.items())}"
                )
        self.message_user(request, f"{marked} forms marked submitted.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"Not marked: {line}", messages.ERROR)

    # --- Print and PDF ------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:record_id>/print/",
                self.admin_site.admin_view(self.print_view),
                name="rems_monitoringrecord_print",
            ),
            path("<int:record_id>/pdf/", self.admin_site.admin_view(self.pdf_view), name="rems_monitoringrecord_pdf"),
            *super().get_urls(),
        ]

    def _readable(self, request: HttpRequest, record_id: int) -> MonitoringRecord:
        if not self.has_view_permission(request):
            raise PermissionDenied
        record: MonitoringRecord = get_object_or_404(
            self.get_queryset(request).select_related("appointment__provider__user", "discharge_decided_by"),
            pk=record_id,
        )
        return record

    def print_view(self, request: HttpRequest, record_id: int) -> TemplateResponse:
        """The filled form as a print-friendly page."""
        record = self._readable(request, record_id)
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=record, detail="printed form")
        context = {
            "title": monitoring_form_title(record),
            "sections": monitoring_form_sections(record),
            "pdf_url": reverse("admin:rems_monitoringrecord_pdf", args=[record.pk]),
        }
        return TemplateResponse(request, "rems/monitoring_form_print.html", context)

    def pdf_view(self, request: HttpRequest, record_id: int) -> HttpResponse:
        """The filled form as a PDF download."""
        record = self._readable(request, record_id)
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=record, detail="downloaded PDF")
        response = HttpResponse(monitoring_form_pdf(record), content_type="application/pdf")
        # No name or date in the file name: it is saved on shared computers.
        response["Content-Disposition"] = f'attachment; filename="rems-monitoring-form-{record.pk}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
