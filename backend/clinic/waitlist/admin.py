"""Back office for the waitlist: entries (staff add and remove them), freed times and the offers sent for
them with their outcome, each location's settings, and the report of chairs filled per week."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.locations import location_limit
from clinic.core.models import Clinic
from clinic.scheduling.models import WorkingHours

from .models import DAY_PARTS, FreedSlot, WaitlistEntry, WaitlistOffer, WaitlistSettings
from .selectors import chairs_filled_per_week
from .services import waitlist_join, waitlist_remove, waitlist_request_check

REPORT_URL_NAME = "waitlist_filled_per_week"
OFFER_FIELDS: tuple[str, ...] = ("created_at", "round", "status", "expires_at", "answered_at", "outcome_detail")


def _local(moment: Any, clinic: Clinic) -> str:
    return f"{moment.astimezone(zoneinfo.ZoneInfo(clinic.timezone)):%a %Y-%m-%d %H:%M %Z}" if moment else ""


@admin.register(WaitlistSettings)
class WaitlistSettingsAdmin(AuditedAdminMixin):
    list_display = ["clinic", "is_enabled", "min_notice_hours", "offers_at_once", "offer_minutes"]


class WaitlistEntryForm(forms.ModelForm[WaitlistEntry]):
    preferred_weekdays = forms.TypedMultipleChoiceField(
        choices=WorkingHours.Weekday.choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    preferred_day_parts = forms.MultipleChoiceField(
        choices=[(part, part) for part in DAY_PARTS], required=False, widget=forms.CheckboxSelectMultiple
    )
    preferred_windows = forms.CharField(
        required=False, help_text="Time windows in the location's time, comma-separated, e.g. 09:30-13:00, 15:00-17:00."
    )

    class Meta:
        model = WaitlistEntry
        fields = ["patient", "session_type", "appointment", "providers"]

    def preferred_times(self) -> list[str]:
        windows = [item.strip() for item in (self.cleaned_data.get("preferred_windows") or "").split(",")]
        return [*(self.cleaned_data.get("preferred_day_parts") or []), *(window for window in windows if window)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or "patient" not in data or "session_type" not in data:
            return data
        try:
            waitlist_request_check(
                patient=data["patient"],
                session_type=data["session_type"],
                appointment=data.get("appointment"),
                weekdays=list(data.get("preferred_weekdays") or []),
                times=self.preferred_times(),
                providers=list(data.get("providers") or []),
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return data


class WaitlistOfferInline(admin.TabularInline[WaitlistOffer, Any]):
    model = WaitlistOffer
    extra = 0
    max_num = 0
    can_delete = False
    fields = OFFER_FIELDS
    readonly_fields = OFFER_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EntryOfferInline(WaitlistOfferInline):
    fk_name = "entry"


class SlotOfferInline(WaitlistOfferInline):
    fk_name = "slot"
    fields = ("entry", *OFFER_FIELDS)
    readonly_fields = ("entry", *OFFER_FIELDS)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(AuditedAdminMixin):
    """Added by staff here (or by the patient's "earlier if possible"); removed with the action, never edited."""

    form = WaitlistEntryForm
    list_display = ["created_at", "patient", "session_type", "appointment", "status", "source", "preferences"]
    list_filter = ["status", "source", "session_type"]
    search_fields = ["patient__last_name", "patient__first_name"]
    autocomplete_fields = ["patient"]
    raw_id_fields = ["appointment"]
    actions = ["remove_from_waitlist"]
    inlines = [EntryOfferInline]
    ordering = ["created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WaitlistEntry]:
        return super().get_queryset(request).select_related("patient", "session_type", "appointment")

    def get_fields(self, request: HttpRequest, obj: WaitlistEntry | None = None) -> Any:
        if obj is None:
            return [
                "patient",
                "session_type",
                "appointment",
                "preferred_weekdays",
                "preferred_day_parts",
                "preferred_windows",
                "providers",
            ]
        return [
            "patient",
            "session_type",
            "appointment",
            "preferences",
            "status",
            "source",
            "created_at",
            "created_by",
            "closed_at",
            "closed_reason",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: WaitlistEntry | None = None) -> Any:
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [] if obj is None else super().get_inlines(request, obj)  # a new entry has no offers yet

    @admin.display(description="preferences")
    def preferences(self, entry: WaitlistEntry) -> str:
        days = ", ".join(WorkingHours.Weekday(day).label[:3] for day in entry.preferred_weekdays) or "any day"
        times = ", ".join(entry.preferred_times) or "any time"
        providers = ", ".join(provider.display_name for provider in entry.providers.all()) or "any provider"
        return f"{days}; {times}; {providers}"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        entry = waitlist_join(
            actor=Actor.from_request(request),
            patient=data["patient"],
            session_type=data["session_type"],
            appointment=data.get("appointment"),
            preferred_weekdays=data.get("preferred_weekdays") or [],
            preferred_times=form.preferred_times(),
            providers=data.get("providers") or [],
            source="staff",
        )
        obj.pk = entry.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return  # the service set the providers

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("waitlist.change_waitlistentry")

    @admin.action(description="Remove selected entries from the waitlist", permissions=["remove"])
    def remove_from_waitlist(self, request: HttpRequest, queryset: QuerySet[WaitlistEntry]) -> None:
        actor = Actor.from_request(request)
        for entry in queryset.filter(status=WaitlistEntry.Status.ACTIVE):
            waitlist_remove(actor=actor, entry=entry)
        self.message_user(request, "Removed from the waitlist.", messages.SUCCESS)


class ReadOnlyAdmin(AuditedAdminMixin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FreedSlot)
class FreedSlotAdmin(ReadOnlyAdmin):
    """The times cancelled or moved sessions left, and what became of them; the report of chairs filled."""

    list_display = ["starts", "clinic", "session_type", "provider", "room", "cause", "status", "filled_by"]
    list_filter = ["status", "cause", "clinic"]
    readonly_fields = [field.name for field in FreedSlot._meta.fields]
    inlines = [SlotOfferInline]
    change_list_template = "admin/waitlist/freedslot/change_list.html"

    @admin.display(description="starts (location time)", ordering="starts_at")
    def starts(self, slot: FreedSlot) -> str:
        return _local(slot.starts_at, slot.clinic)

    def get_queryset(self, request: HttpRequest) -> QuerySet[FreedSlot]:
        return super().get_queryset(request).select_related("clinic", "session_type", "provider", "room", "filled_by")

    def get_urls(self) -> list[URLPattern]:
        report = path("filled-per-week/", self.admin_site.admin_view(self.report_view), name=REPORT_URL_NAME)
        return [report, *super().get_urls()]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        clinics = location_limit(Clinic.objects.all(), user=request.user)
        rows = chairs_filled_per_week(clinics=clinics, now=timezone.now())
        context = {
            **self.admin_site.each_context(request),
            "title": "Chairs filled from the waitlist, per week",
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/waitlist/filled_per_week.html", context)


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(ReadOnlyAdmin):
    """Each text offering a freed time, and its outcome: sent, accepted, expired, taken by another."""

    list_display = ["created_at", "patient", "slot_starts", "round", "status", "expires_at", "outcome_detail"]
    list_filter = ["status", "created_at"]
    search_fields = ["entry__patient__last_name", "entry__patient__first_name"]
    readonly_fields = [field.name for field in WaitlistOffer._meta.fields if field.name != "code"]
    exclude = ["code"]  # the code takes the time: staff never need to read it

    def get_queryset(self, request: HttpRequest) -> QuerySet[WaitlistOffer]:
        return super().get_queryset(request).select_related("entry__patient", "slot__clinic")

    @admin.display(description="patient")
    def patient(self, offer: WaitlistOffer) -> str:
        return str(offer.entry.patient)

    @admin.display(description="time offered (location time)")
    def slot_starts(self, offer: WaitlistOffer) -> str:
        return _local(offer.slot.starts_at, offer.slot.clinic)
