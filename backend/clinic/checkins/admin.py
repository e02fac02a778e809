"""Back office for check-ins: alerts to acknowledge, check-ins and their answers, plans, staff tasks, score charts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.admin_base import StaffModelAdmin, inline_add
from clinic.accounts.locations import location_limit, location_limit_objects
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_timezone
from clinic.messaging.selectors import inbound_language_label
from clinic.oncall.selectors import STEP_NAMES
from clinic.patients.models import Patient
from clinic.patients.selectors import patient_timezone, patients_sharing_number
from clinic.scheduling.admin import SessionTypeAdmin
from clinic.scheduling.models import SessionType

from .alerts import alert_acknowledge
from .chart import score_chart
from .escalation import alert_pages_who
from .models import Alert, CheckIn, CheckInAnswer, CheckInHold, CheckInStep
from .selectors import alert_checkin_holds, alert_number, patient_scores
from .suspension import checkins_resume_for

VIEW_SCORES = ("patients.view_patient", "checkins.view_checkin", "checkins.view_checkinanswer")


def scores_url(patient_id: int) -> str:
    return reverse("admin:checkins_patient_scores", args=[patient_id])


class ReadOnlyRecordAdmin(AuditedAdminMixin):
    """Written by the services, read by people: no adding or deleting by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AlertForm(forms.ModelForm[Alert]):
    resume_checkins = forms.BooleanField(
        required=False,
        label="Resume check-ins",
        help_text="Tick to send the held automated check-ins again (every patient this alert held); "
        "left unticked, they stay on hold.",
    )

    class Meta:
        model = Alert
        fields = ["note"]
        help_texts = {"note": "What you did (called the patient, 911, ...). Saving with a note acknowledges the alert."}

    def clean_note(self) -> str:
        note = str(self.cleaned_data.get("note", "")).strip()
        if self.instance.is_open and not note:
            raise ValidationError("Write what you did: saving with a note acknowledges the alert.")
        return note


@admin.register(Alert)
class AlertAdmin(ReadOnlyRecordAdmin):
    form = AlertForm
    list_display = ["opened_at", "urgency", "reason", "patient", "open_state", "paged", "acknowledged_by"]
    list_filter = ["urgency", "reason", ("acknowledged_at", admin.EmptyFieldListFilter), "opened_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    actions = ["acknowledge_selected"]
    readonly_fields = [
        "urgency",
        "reason",
        "patient_link",
        "what_they_wrote",
        "detail",
        "opened_at",
        "notify_count",
        "last_notified_at",
        "pages_history",
        "checkins_state",
        "acknowledged_at",
        "acknowledged_by",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Alert]:
        # Open first, urgent before elevated, newest first; the holds of the reader's locations' patients.
        alerts: QuerySet[Alert] = super().get_queryset(request)
        holds = location_limit(CheckInHold.objects.select_related("patient", "resumed_by"), user=request.user)
        return (
            alerts.select_related("patient", "acknowledged_by", "inbound_message", "answer")
            .prefetch_related(Prefetch("checkin_holds", queryset=holds))
            .annotate(
                open_rank=Case(
                    When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
                ),
                urgency_rank=Case(
                    When(urgency=Alert.Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
                ),
            )
            .order_by("open_rank", "urgency_rank", "-opened_at")
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Alert | None:
        alert = super().get_object(request, object_id, from_field)
        if alert is not None:
            alert.reader = request.user  # whose locations the page shows
        return alert

    def get_readonly_fields(self, request: HttpRequest, obj: Alert | None = None) -> list[str]:
        if obj is not None and not obj.is_open:
            return [*self.readonly_fields, "note"]
        return list(self.readonly_fields)

    def get_fields(self, request: HttpRequest, obj: Alert | None = None) -> Any:
        fields = [*self.readonly_fields, "note"]
        if obj is not None and obj.is_open and self._hold_open(obj):
            fields.append("resume_checkins")
        return fields

    @staticmethod
    def _hold_open(alert: Alert) -> bool:
        return any(hold.is_open for hold in alert_checkin_holds(alert))

    @admin.display(description="Paged")
    def paged(self, alert: Alert) -> str:
        return ", ".join(alert_pages_who(alert)) or "-"

    @admin.display(description="Pages")
    def pages_history(self, alert: Alert) -> str:
        """Every step of every round: who was paged, or passed over and why, and what became of the text."""
        rows = [
            (
                page.round,
                f"{page.created_at.astimezone(clinic_timezone()):%Y-%m-%d %H:%M}",
                STEP_NAMES.get(page.step, page.step),
                page.who,
                page.message.get_status_display() if page.message is not None else f"skipped: {page.skipped_reason}",
            )
            for page in alert.pages.select_related("message").order_by("round", "id")
        ]
        if not rows:
            return "No page yet" if alert.urgency == Alert.Urgency.URGENT else "Elevated alerts are not paged."
        return format_html(
            "<table><thead><tr><th>Round</th><th>When</th><th>Step</th><th>Who</th><th>Text</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="Automated check-ins")
    def checkins_state(self, alert: Alert) -> str:
        holds = alert_checkin_holds(alert)
        if not holds:
            return "not held by this alert"
        if len(holds) == 1:
            return self._hold_state(holds[0])
        # A text from a shared number holds every patient with it: name each, never only the first.
        return format_html(
            "held for {} patients sharing the number:<ul>{}</ul>",
            len(holds),
            format_html_join(
                "",
                "<li>{} {}: {}</li>",
                ((hold.patient.first_name, hold.patient.last_name, self._hold_state(hold)) for hold in holds),
            ),
        )

    @staticmethod
    def _hold_state(hold: CheckInHold) -> str:
        if hold.is_open:
            return "on hold since this alert: nothing is sent until a clinician resumes them"
        return f"resumed {hold.resumed_at:%Y-%m-%d %H:%M} by {hold.resumed_by or 'unknown'}"

    @admin.display(description="Open", boolean=True)
    def open_state(self, alert: Alert) -> bool:
        return alert.is_open

    @admin.display(description="Patient")
    def patient_link(self, alert: Alert) -> str:
        # Of the patients on the number, those of the reader's locations (a clinician paged about the alert
        # sees every one it held): nothing here says who else is on file elsewhere.
        holders = location_limit_objects(
            patients_sharing_number(alert_number(alert)), user=getattr(alert, "reader", None)
        )
        if len(holders) > 1:
            # The number belongs to several patients: the alert names all of them, never a guess.
            return format_html("Number shared by {} patients: {}", len(holders), self._patients_html(holders))
        if alert.patient is None and holders:
            return format_html("The number on file for: {}", self._patients_html(holders))
        if alert.patient is None:
            return "Unknown number (see the text below)"
        return self._patients_html([alert.patient])

    @staticmethod
    def _patients_html(patients: list[Patient]) -> str:
        return format_html_join(
            "; ",
            '{} {} · {} · <a href="{}">check-in scores</a>',
            ((p.first_name, p.last_name, p.phone, scores_url(p.pk)) for p in patients),
        )

    @admin.display(description="What they wrote")
    def what_they_wrote(self, alert: Alert) -> str:
        if alert.inbound_message is not None:
            # As written, never translated, with the language it is written in ("Spanish (es)").
            message = alert.inbound_message
            return f"{message.body} (from {message.from_number}; {inbound_language_label(message.language)})"
        if alert.answer is not None:
            return alert.answer.raw_text
        return ""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        # Acknowledging is a business operation: it goes through the service (which audits it).
        assert isinstance(obj, Alert)
        if obj.is_open and obj.note.strip():
            alert_acknowledge(
                alert=obj,
                actor=Actor.from_request(request),
                note=obj.note,
                resume_checkins=bool(form.cleaned_data.get("resume_checkins")),
            )

    @admin.action(description="Acknowledge selected alerts with a note", permissions=["change"])
    def acknowledge_selected(self, request: HttpRequest, queryset: QuerySet[Alert]) -> TemplateResponse | None:
        note = request.POST.get("note", "").strip()
        if "apply" in request.POST and note:
            actor = Actor.from_request(request)
            count = sum(alert_acknowledge(alert=alert, actor=actor, note=note) for alert in queryset)
            self.message_user(request, f"{count} alerts acknowledged.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Acknowledge alerts",
            "opts": self.model._meta,
            "alerts": queryset,
            "missing_note": "apply" in request.POST,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/checkins/alert/acknowledge.html", context)


@admin.register(CheckInHold)
class CheckInHoldAdmin(ReadOnlyRecordAdmin):
    """Patients whose automated check-ins are held after a crisis text; resumed here or on the alert."""

    list_display = ["started_at", "patient", "alert", "is_held", "resumed_at", "resumed_by"]
    list_filter = [("resumed_at", admin.EmptyFieldListFilter), "started_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    readonly_fields = ["patient", "alert", "started_at", "resumed_at", "resumed_by"]
    actions = ["resume_selected"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # only the action below changes a hold

    def get_queryset(self, request: HttpRequest) -> QuerySet[CheckInHold]:
        return super().get_queryset(request).select_related("patient", "alert", "resumed_by")

    @admin.display(description="Held", boolean=True)
    def is_held(self, hold: CheckInHold) -> bool:
        return hold.is_open

    def has_resume_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("checkins.change_checkinhold")

    @admin.action(description="Resume automated check-ins for the selected patients", permissions=["resume"])
    def resume_selected(self, request: HttpRequest, queryset: QuerySet[CheckInHold]) -> None:
        actor = Actor.from_request(request)
        # Only the selected patients: the others an alert from a shared number holds stay held.
        resumed = [
            checkins_resume_for(alert=hold.alert, patient_id=hold.patient_id, actor=actor)
            for hold in queryset.filter(resumed_at=None)
        ]
        count = sum(1 for value in resumed if value is not None)
        self.message_user(request, f"Check-ins resumed for {count} hold{'s' if count != 1 else ''}.", messages.SUCCESS)


class CheckInAnswerInline(admin.TabularInline[CheckInAnswer, CheckIn]):
    model = CheckInAnswer
    fields = ["received_at", "question_index", "raw_text", "score"]
    readonly_fields = ["received_at", "question_index", "raw_text", "score"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: CheckIn | None = None) -> bool:
        return False


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyRecordAdmin):
    list_display = ["due_at", "patient", "kind", "status", "scores", "chart"]
    list_filter = ["status", "kind", "due_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    date_hierarchy = "due_at"
    inlines = [CheckInAnswerInline]
    readonly_fields = [field.name for field in CheckIn._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CheckIn]:
        return super().get_queryset(request).select_related("patient").prefetch_related("answers")

    @admin.display(description="Scores")
    def scores(self, check_in: CheckIn) -> str:
        values = [str(answer.score) for answer in check_in.answers.all() if answer.score is not None]
        return " + ".join(values)

    @admin.display(description="Chart")
    def chart(self, check_in: CheckIn) -> str:
        return format_html('<a href="{}">scores over time</a>', scores_url(check_in.patient_id))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "patient/<int:patient_id>/scores/",
                self.admin_site.admin_view(self.patient_scores_view),
                name="checkins_patient_scores",
            ),
            *super().get_urls(),
        ]

    def patient_scores_view(self, request: HttpRequest, patient_id: int) -> TemplateResponse:
        """A patient's scores as a chart a clinician can read at a glance, with the answers under it."""
        if not request.user.has_perms(VIEW_SCORES):
            raise PermissionDenied
        patient = get_object_or_404(location_limit(Patient.objects.all(), user=request.user), pk=patient_id)
        tz = patient_timezone(patient)
        scores = patient_scores(patient_id=patient.pk)
        audit_by(Actor.from_request(request), action=AuditEvent.Action.VIEW, target=patient, detail="check-in scores")
        check_ins = CheckIn.objects.filter(patient=patient).prefetch_related("answers").order_by("-due_at")[:30]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Check-in scores: {patient.first_name} {patient.last_name}",
            "opts": self.model._meta,
            "patient": patient,
            "chart": score_chart(scores=scores, tz=tz),
            "scores": scores,
            "check_ins": check_ins,
            "tz": tz,
        }
        return TemplateResponse(request, "admin/checkins/patient_scores.html", context)


class CheckInStepInline(admin.TabularInline[CheckInStep, SessionType]):
    """A session type's check-in plan, for the session type's admin page (scheduling registers that page)."""

    model = CheckInStep
    fields = ["kind", "day_offset", "local_time", "is_active"]
    extra = 0
    verbose_name_plural = "check-in plan (none listed: the default plan; all unticked: no check-ins)"


inline_add(SessionTypeAdmin, CheckInStepInline)


@admin.register(CheckInStep)
class CheckInStepAdmin(StaffModelAdmin):
    """Each session type's plan. A type with no steps follows the default plan; untick every step to send none."""

    list_display = ["session_type", "kind", "day_offset", "local_time", "is_active"]
    list_filter = ["session_type", "kind", "is_active"]
    list_editable = ["local_time", "is_active"]
