"""Back office for questionnaires: the plans (inline on each session type), and each patient's questionnaires."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.admin_base import StaffModelAdmin, inline_add
from clinic.scheduling.admin import SessionTypeAdmin
from clinic.scheduling.models import SessionType

from .instruments import instrument_get
from .models import MeasurePlan, QuestionnaireAssignment
from .services import assignment_send_now

ASSIGNMENT_FIELDS: list[str] = [
    "patient",
    "instrument",
    "purpose",
    "status",
    "appointment",
    "series",
    "weeks_after",
    "language",
    "due_at",
    "expires_at",
    "opened_at",
    "completed_at",
    "total",
    "band",
    "answers_table",
    "urgent_alert",
    "created_by",
    "created_at",
]


class MeasurePlanInline(admin.TabularInline[MeasurePlan, SessionType]):
    """A session type's questionnaires (scheduling registers the session type's page)."""

    model = MeasurePlan
    fields = ["instrument", "when", "weeks_after", "is_active"]
    extra = 0
    verbose_name_plural = "questionnaires by link (baseline, before each session, weeks after the series)"


inline_add(SessionTypeAdmin, MeasurePlanInline)


@admin.register(MeasurePlan)
class MeasurePlanAdmin(StaffModelAdmin):
    list_display = ["session_type", "instrument", "when", "weeks_after", "is_active"]
    list_filter = ["session_type", "instrument", "when", "is_active"]
    list_editable = ["is_active"]


@admin.register(QuestionnaireAssignment)
class QuestionnaireAssignmentAdmin(AuditedAdminMixin):
    """Written by the plans and by 'send now'; read by clinicians (answers are clinical)."""

    list_display = ["due_at", "patient", "instrument", "purpose", "status", "total", "band", "completed_at"]
    list_filter = ["status", "instrument", "purpose", "due_at", "completed_at"]
    search_fields = ["patient__last_name", "patient__first_name"]
    date_hierarchy = "due_at"
    actions = ["send_again_now"]
    fields = tuple(ASSIGNMENT_FIELDS)
    readonly_fields = ASSIGNMENT_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuestionnaireAssignment]:
        return super().get_queryset(request).select_related("patient")

    @admin.display(description="answers")
    def answers_table(self, assignment: QuestionnaireAssignment) -> str:
        instrument = instrument_get(assignment.instrument)
        labels = {option.value: option.label_in("en") for option in instrument.options}
        return format_html_join(
            "\n",
            "<div>{}. {}: <strong>{}</strong></div>",
            (
                (
                    item.position,
                    item.text_in("en"),
                    labels.get(assignment.answers.get(item.link_id, -1), "(not answered)"),
                )
                for item in instrument.items
            ),
        )

    @admin.action(description="Send the same questionnaire again now", permissions=["send"])
    def send_again_now(self, request: HttpRequest, queryset: QuerySet[QuestionnaireAssignment]) -> None:
        actor = Actor.from_request(request)
        sent = 0
        for assignment in queryset.select_related("patient"):
            assignment_send_now(actor=actor, patient=assignment.patient, instrument=assignment.instrument)
            sent += 1
        self.message_user(
            request, f"{sent} questionnaire(s) sent now (texting hours and consent still apply).", messages.SUCCESS
        )

    def has_send_permission(self, request: HttpRequest) -> bool:
        # Adding by hand is closed (the plans write them); sending one now is what "add" grants.
        return bool(request.user.has_perm("measures.add_questionnaireassignment"))
