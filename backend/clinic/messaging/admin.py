from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst

from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.admin_base import StaffModelAdmin
from clinic.core import languages
from clinic.core.languages import language_choices

from .models import (
    DeliveryAttempt,
    DeliveryReport,
    EmailAddressState,
    InboundMessage,
    MessageTemplate,
    OutboundMessage,
    PhoneNumberState,
)
from .outbox import PENDING_STATUSES
from .selectors import CLINICAL_KINDS, CLINICAL_ROUTES, HIDDEN_BODY, can_read_clinical, inbound_language_label
from .wording import TEXTS, text_default


class ReadOnlyAdminMixin:
    """Messages are written by the service, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DeliveryAttemptInline(admin.TabularInline[DeliveryAttempt, OutboundMessage]):
    """Every call to the provider about this text, newest first; kept by the sender, never edited."""

    model = DeliveryAttempt
    fk_name = "message"
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["started_at", "latency_ms", "outcome", "code", "detail", "provider_message_id"]
    readonly_fields = ["started_at", "latency_ms", "outcome", "code", "detail", "provider_message_id"]
    ordering = ["-started_at", "-id"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The text's history is part of the text: whoever may read the message reads its attempts,
        # and no one else (they hold no body and no number, so the clinical mask has nothing to hide).
        return request.user.has_perm("messaging.view_outboundmessage")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdminMixin, AuditedAdminMixin):
    list_display = [
        "id",
        "kind",
        "channel",
        "address",
        "status",
        "send_after",
        "attempts",
        "last_error_code",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind", "last_error_code", "send_after"]
    search_fields = ["to_number", "to_email", "provider_sid", "idempotency_key"]
    date_hierarchy = "send_after"
    exclude = ["body"]
    readonly_fields = [
        *(field.name for field in OutboundMessage._meta.fields if field.name != "body"),
        "visible_body",
        "cause",
    ]
    inlines = [DeliveryAttemptInline]
    actions = ["cancel_pending"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboundMessage]:
        # Check-in questions and pages to the on-call clinician are shown to clinicians only.
        queryset: QuerySet[OutboundMessage] = super().get_queryset(request)
        if can_read_clinical(request.user):
            return queryset.annotate(visible_text=F("body"))
        hidden = When(kind__in=CLINICAL_KINDS, then=Value(HIDDEN_BODY))
        return queryset.annotate(visible_text=Case(hidden, default=F("body"), output_field=TextField()))

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("messaging.change_outboundmessage")

    @admin.display(description="Text")
    def visible_body(self, message: OutboundMessage) -> str:
        return str(getattr(message, "visible_text", HIDDEN_BODY))

    @admin.display(description="Cause")
    def cause(self, message: OutboundMessage) -> str:
        """The record that caused the text, found by its model label, linked to its admin page if it has one."""
        if not message.related_type:
            return "-"
        pk = message.related_id.partition("@")[0]  # a reminder's id also names the start it was written for
        try:
            model = apps.get_model(message.related_type)
        except (LookupError, ValueError):
            return f"{message.related_type} {message.related_id}"
        name = f"{capfirst(model._meta.verbose_name)} #{pk}"
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
        except NoReverseMatch:
            return name
        return format_html('<a href="{}">{}</a>', url, name)

    @admin.action(description="Cancel selected texts that have not been sent", permissions=["cancel"])
    def cancel_pending(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        count = queryset.filter(status__in=PENDING_STATUSES).update(
            status=OutboundMessage.Status.CANCELLED,
            suppressed_reason=f"cancelled by {request.user}"[:60],
            finished_at=timezone.now(),
        )
        self.message_user(request, f"{count} texts cancelled.", messages.SUCCESS)


class InboundLanguageFilter(admin.SimpleListFilter):
    """The language a text is written in, as recognised, or those whose language was not recognised."""

    title = "language"
    parameter_name = "language"
    NOT_RECOGNISED = "none"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        named = [(code, languages.language_name(code)) for code in languages.language_codes()]
        return [*named, (self.NOT_RECOGNISED, "Not recognised")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(language="" if value == self.NOT_RECOGNISED else value)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdminMixin, AuditedAdminMixin):
    """Texts people sent us, as written (never translated), with the language each is written in beside it."""

    list_display = [
        "received_at",
        "from_number",
        "patient",
        "route",
        "written_in",
        "short_body",
        "handled_at",
        "handled_by",
    ]
    list_filter = ["route", InboundLanguageFilter, ("handled_at", admin.EmptyFieldListFilter), "received_at"]
    search_fields = ["from_number", "message_sid", "patient__last_name"]
    date_hierarchy = "received_at"
    actions = ["mark_handled"]

    # The language just above the words, as a clinician reads them.
    fields = [
        "received_at",
        "message_sid",
        "from_number",
        "to_number",
        "patient",
        "shared_number",
        "written_in",
        "visible_body",
        "route",
        "route_detail",
        "visible_reply",
        "handled_at",
        "handled_by",
    ]
    readonly_fields = [
        *(field.name for field in InboundMessage._meta.fields if field.name not in ("body", "reply")),
        "written_in",
        "visible_body",
        "visible_reply",
    ]
    exclude = ["body", "reply"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMessage]:
        # Decided per request (the admin object is shared by threads): front desk never gets the text
        # of a check-in answer or a crisis message.
        queryset: QuerySet[InboundMessage] = super().get_queryset(request)
        if can_read_clinical(request.user):
            return queryset.annotate(visible_text=F("body"), visible_answer=F("reply"))
        hidden = When(route__in=CLINICAL_ROUTES, then=Value(HIDDEN_BODY))
        return queryset.annotate(
            visible_text=Case(hidden, default=F("body"), output_field=TextField()),
            visible_answer=Case(hidden, default=F("reply"), output_field=TextField()),
        )

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Text")
    def visible_body(self, message: InboundMessage) -> str:
        return str(getattr(message, "visible_text", HIDDEN_BODY))

    @admin.display(description="Our reply")
    def visible_reply(self, message: InboundMessage) -> str:
        return str(getattr(message, "visible_answer", HIDDEN_BODY))

    @admin.display(description="Language", ordering="language")
    def written_in(self, message: InboundMessage) -> str:
        """ "Spanish (es)", or "not recognised" (a number, "ok", an emoji): the text is shown as written."""
        return inbound_language_label(message.language)

    @admin.display(description="Text")
    def short_body(self, message: InboundMessage) -> str:
        body = self.visible_body(message)
        return body[:60] + ("…" if len(body) > 60 else "")

    def has_handle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("messaging.change_inboundmessage")

    # Crisis texts and check-in answers are refused to front desk by StaffModelAdmin's action guard.
    @admin.action(description="Mark selected as handled", permissions=["handle"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        count = queryset.filter(handled_at__isnull=True).update(handled_at=timezone.now(), handled_by=request.user)
        self.message_user(request, f"{count} messages marked handled.", messages.SUCCESS)


@admin.register(PhoneNumberState)
class PhoneNumberStateAdmin(AuditedAdminMixin):
    list_display = [
        "phone",
        "opted_out_at",
        "opt_out_keyword",
        "opted_in_at",
        "undeliverable_at",
        "needs_staff_attention",
    ]
    list_filter = ["needs_staff_attention", ("opted_out_at", admin.EmptyFieldListFilter)]
    search_fields = ["phone"]
    readonly_fields = [
        "phone",
        "opted_out_at",
        "opt_out_keyword",
        "opted_in_at",
        "undeliverable_at",
        "undeliverable_code",
    ]


@admin.register(EmailAddressState)
class EmailAddressStateAdmin(AuditedAdminMixin):
    """Unsubscribes (from an email's link, or recorded by staff) and addresses mail servers refused."""

    list_display = ["email", "unsubscribed_at", "unsubscribe_source", "undeliverable_at", "needs_staff_attention"]
    list_filter = ["needs_staff_attention", ("unsubscribed_at", admin.EmptyFieldListFilter), "unsubscribe_source"]
    search_fields = ["email"]
    fields = [
        "email",
        "unsubscribed_at",
        "unsubscribe_source",
        "undeliverable_at",
        "undeliverable_code",
        "needs_staff_attention",
    ]
    readonly_fields = ["email", "unsubscribed_at", "unsubscribe_source", "undeliverable_at", "undeliverable_code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DeliveryReport)
class DeliveryReportAdmin(ReadOnlyAdminMixin, StaffModelAdmin):
    list_display = ["received_at", "message_sid", "status", "error_code"]
    list_filter = ["status", "error_code"]
    search_fields = ["message_sid"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MessageTemplateForm(forms.ModelForm[MessageTemplate]):
    # A callable: texts that apps above messaging add in their ready() are listed too.
    name = forms.ChoiceField(choices=lambda: [(name, name.replace("_", " ")) for name in sorted(TEXTS)])

    class Meta:
        model = MessageTemplate
        fields = ["name", "language", "body"]
        widgets = {"language": forms.Select(choices=language_choices())}
        help_texts = {
            "body": "Placeholders in {braces} are filled when the text is sent. No drug names or diagnoses; "
            "at most three SMS parts (seven once an accent such as á makes it Unicode: about 459 characters).",
        }


@admin.register(MessageTemplate)
class MessageTemplateAdmin(StaffModelAdmin):
    """Clinic admins reword texts; each wording is checked (placeholders, forbidden words, length) on save."""

    form = MessageTemplateForm
    list_display = ["name", "language", "updated_at", "updated_by"]
    list_filter = ["language"]
    search_fields = ["name", "body"]
    readonly_fields = ["default_wording", "updated_at", "updated_by"]

    @admin.display(description="Default wording (in this language)")
    def default_wording(self, template: MessageTemplate) -> str:
        return text_default(template.name, template.language) if template.name in TEXTS else ""

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form: Any, change: bool) -> None:
        obj.updated_by = request.user if isinstance(request.user, User) else None
        super().save_model(request, obj, form, change)
