from __future__ import annotations

import contextlib
import datetime
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.admin_audit import AuditedAdminMixin
from clinic.accounts.admin_base import StaffModelAdmin, inline_add
from clinic.core.languages import LANGUAGE_DEFAULT, language_choices
from clinic.core.models import Clinic, Organization
from clinic.messaging.wording import PREPARATION_TRANSLATION_MAX_CHARS
from clinic.patients.admin import PatientAdmin
from clinic.patients.models import Patient

from . import admin_series, services
from .forms import AppointmentAdminForm, CancelForm
from .models import (
    Appointment,
    Provider,
    Room,
    Series,
    SeriesPlan,
    SessionType,
    TimeOff,
    WorkingHours,
    validate_preparation_translations,
)
from .selectors import UPCOMING_STATUSES
from .session_time import appointment_timezone


def _local(appointment: Appointment, moment: datetime.datetime | None = None) -> str:
    """A session's time (its start, unless another moment is given) in its location's zone, the zone named."""
    moment = appointment.starts_at if moment is None else moment
    return moment.astimezone(appointment_timezone(appointment)).strftime("%a %Y-%m-%d %H:%M %Z")


def _zone_of_form(request: HttpRequest, object_id: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone a session's form reads and shows times in: its location's (the session type's), once known."""
    if object_id is not None:
        found = Appointment.objects.filter(pk=int(object_id)) if object_id.isdigit() and len(object_id) < 10 else None
        name = None if found is None else found.values_list("session_type__clinic__timezone", flat=True).first()
    else:
        raw = request.POST.get("session_type", "").strip() if request.method == "POST" else ""
        chosen = SessionType.objects.filter(pk=int(raw)) if raw.isdigit() and len(raw) < 10 else None
        name = None if chosen is None else chosen.values_list("clinic__timezone", flat=True).first()
    return zoneinfo.ZoneInfo(name) if name else None


@contextlib.contextmanager
def _times_in(tz: zoneinfo.ZoneInfo | None) -> Iterator[None]:
    if tz is None:
        yield
        return
    with timezone.override(tz):
        yield


@admin.register(Organization)
class OrganizationAdmin(StaffModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Clinic)
class ClinicAdmin(StaffModelAdmin):
    """The organization's locations."""

    list_display = [
        "name",
        "short_name",
        "organization",
        "timezone",
        "phone",
        "sms_from_number",
        "texting_starts",
        "texting_ends",
        "is_active",
    ]
    list_filter = ["organization", "is_active", "timezone"]
    search_fields = ["name", "short_name", "postcode"]


class WorkingHoursInline(admin.TabularInline[WorkingHours, Provider]):
    model = WorkingHours
    extra = 0
    fields = ["clinic", "weekday", "starts", "ends"]


class TimeOffInline(admin.TabularInline[TimeOff, Provider]):
    model = TimeOff
    extra = 0
    fields = ["starts_at", "ends_at", "reason"]


@admin.register(Provider)
class ProviderAdmin(StaffModelAdmin):
    list_display = ["display_name", "credentials", "user", "clinic", "works_at", "is_active"]
    list_filter = ["is_active", "clinic", ("working_hours__clinic", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["display_name", "user__username", "user__email"]
    autocomplete_fields = ["user"]
    inlines = [WorkingHoursInline, TimeOffInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Provider]:
        return super().get_queryset(request).prefetch_related("working_hours__clinic")

    @admin.display(description="works at")
    def works_at(self, provider: Provider) -> str:
        return ", ".join(sorted({block.clinic.name for block in provider.working_hours.all()})) or "-"


@admin.register(Room)
class RoomAdmin(StaffModelAdmin):
    list_display = ["name", "clinic", "is_treatment_chair", "is_active"]
    list_filter = ["is_treatment_chair", "is_active", "clinic"]
    search_fields = ["name"]


def _other_languages() -> list[str]:
    return [code for code, _ in language_choices() if code != LANGUAGE_DEFAULT]


class SessionTypeForm(forms.ModelForm[SessionType]):
    """The preparation instructions get one box per language the clinic offers, instead of raw JSON."""

    class Meta:
        model = SessionType
        fields = [
            "clinic",
            "name",
            "slug",
            "duration_minutes",
            "monitoring_minutes",
            "mode",
            "needs_chair",
            "needs_clinician",
            "needs_driver",
            "fasting_hours",
            "preparation_instructions",
            "reminder_hours",
            "color",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.preparation_translations or {}
        for code in _other_languages():
            self.fields[f"preparation_{code}"].initial = stored.get(code, "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        translations = {
            code: cleaned.get(f"preparation_{code}", "").strip()
            for code in _other_languages()
            if cleaned.get(f"preparation_{code}", "").strip()
        }
        try:
            validate_preparation_translations(translations)
        except ValidationError as exc:
            self.add_error(None, exc)
        self.instance.preparation_translations = translations
        return cleaned


# One box per other language, declared on the class (the admin renders only declared fields).
for _code, _name in language_choices():
    if _code != LANGUAGE_DEFAULT:
        SessionTypeForm.base_fields[f"preparation_{_code}"] = SessionTypeForm.declared_fields[
            f"preparation_{_code}"
        ] = forms.CharField(
            label=f"Preparation instructions ({_name})",
            required=False,
            max_length=PREPARATION_TRANSLATION_MAX_CHARS,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Sent to patients who read this language; left empty, they get the English.",
        )


@admin.register(SessionType)
class SessionTypeAdmin(StaffModelAdmin):
    form = SessionTypeForm
    list_display = [
        "name",
        "duration_minutes",
        "monitoring_minutes",
        "mode",
        "needs_chair",
        "needs_clinician",
        "needs_driver",
        "fasting_hours",
        "is_active",
    ]
    list_filter = ["mode", "needs_chair", "needs_driver", "is_active", "clinic"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # No inlines of its own: the checkins app adds the check-in plan with inline_add.


@admin.register(SeriesPlan)
class SeriesPlanAdmin(StaffModelAdmin):
    list_display = ["name", "session_type", "sessions", "min_gap_hours", "max_span_days", "is_active"]
    list_filter = ["is_active", "clinic"]
    search_fields = ["name"]
    list_select_related = ["session_type"]


CANCEL_PAGE = """{% extends "admin/base_site.html" %}
{% block breadcrumbs %}<div class="breadcrumbs"><a href="{% url 'admin:index' %}">Home</a>
&rsaquo; <a href="{{ back_url }}">Appointments</a> &rsaquo; Cancel sessions</div>{% endblock %}
{% block content %}
<p>Cancel {{ rows|length }} session{{ rows|length|pluralize }}? Pending reminders are withdrawn.</p>
<ul>{% for row in rows %}<li>{{ row }}</li>{% endfor %}</ul>
<form method="post">{% csrf_token %}
{{ form.as_p }}
{% for pk in ids %}<input type="hidden" name="{{ checkbox_name }}" value="{{ pk }}">{% endfor %}
<input type="hidden" name="action" value="cancel_appointments">
<input type="hidden" name="confirmed" value="yes">
<input type="submit" value="Cancel these sessions">
<a href="{{ back_url }}" class="button cancel-link">Keep them</a>
</form>
{% endblock %}
"""


@admin.register(Appointment)
class AppointmentAdmin(AuditedAdminMixin):
    """Sessions are booked, moved and moved along only through the services; nothing is saved raw."""

    form = AppointmentAdminForm
    list_display = ["local_start", "location", "patient", "provider", "room", "session_type", "status", "series"]
    list_filter = [
        "status",
        ("session_type__clinic", admin.RelatedOnlyFieldListFilter),
        "provider",
        "room",
        "session_type",
        ("starts_at", admin.DateFieldListFilter),
    ]
    search_fields = ["patient__first_name", "patient__last_name", "patient__phone"]
    date_hierarchy = "starts_at"
    list_select_related = ["patient", "provider", "room", "session_type__clinic", "series__plan"]
    list_per_page = 50
    autocomplete_fields = ["patient"]
    actions = ["check_in", "complete", "mark_no_show", "cancel_appointments"]

    BOOKING_FIELDS = ["patient", "provider", "session_type", "room", "starts_at"]
    RECORD_FIELDS = [
        "ends_at",
        "status",
        "cancellation_reason",
        "series",
        "series_position",
        "driver_confirmed",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]

    @admin.display(description="Starts (location time)", ordering="starts_at")
    def local_start(self, appointment: Appointment) -> str:
        return _local(appointment)

    @admin.display(description="Location", ordering="session_type__clinic__name")
    def location(self, appointment: Appointment) -> str:
        return appointment.session_type.clinic.name

    def get_fields(self, request: HttpRequest, obj: Appointment | None = None) -> tuple[str, ...]:
        return (*self.BOOKING_FIELDS,) if obj is None else (*self.BOOKING_FIELDS, *self.RECORD_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Appointment | None = None) -> list[str]:
        if obj is None:
            return []
        # A booked session keeps its patient and type; only its time, provider and room can move.
        fixed = ["patient", "session_type", *self.RECORD_FIELDS]
        if obj.status not in services.RESCHEDULABLE:
            fixed += ["provider", "room", "starts_at"]
        return fixed

    def has_delete_permission(self, request: HttpRequest, obj: Appointment | None = None) -> bool:
        return False  # a session is cancelled, never deleted: its history and texts refer to it

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The services audit what they do, so AuditedAdminMixin's save (a raw save) is not called.
        actor = Actor.from_request(request)
        if not change:
            saved = services.appointment_book(actor=actor, booking=form.booking())
        elif form.moves():
            saved = services.appointment_reschedule(actor=actor, appointment=obj, **form.move())
        else:
            return
        for field in Appointment._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            # The form reads and shows times in the session's location's zone (the admin's default before a
            # new session's type is chosen: its help text says so).
            with _times_in(_zone_of_form(request, object_id)):
                response = super().changeform_view(request, object_id, form_url, extra_context)
                if isinstance(response, TemplateResponse):
                    response.render()  # the form's times are written now, in that zone, not after the view returns
                return response
        except (services.BookingConflict, ValidationError) as refused:
            # Someone took the time between the form's check and the save: say so, and keep nothing.
            text = refused.message if isinstance(refused, services.BookingConflict) else " ".join(refused.messages)
            self.message_user(request, f"Not saved: {text}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Appointment],
        operation: Callable[[Appointment], Appointment],
        done: str,
    ) -> None:
        moved = 0
        for appointment in queryset.select_related("patient", "session_type__clinic"):
            try:
                operation(appointment)
                moved += 1
            except ValidationError as refused:
                label = f"{_local(appointment)} ({appointment.patient})"
                self.message_user(request, f"{label}: {' '.join(refused.messages)}", messages.WARNING)
        if moved:
            self.message_user(request, f"{moved} session{'s' if moved != 1 else ''} {done}.", messages.SUCCESS)

    @admin.action(description="Check in selected sessions", permissions=["change"])
    def check_in(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        actor = Actor.from_request(request)
        self._apply(
            request, queryset, lambda a: services.appointment_check_in(actor=actor, appointment=a), "checked in"
        )

    @admin.action(description="Mark selected sessions completed", permissions=["change"])
    def complete(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        actor = Actor.from_request(request)
        self._apply(request, queryset, lambda a: services.appointment_complete(actor=actor, appointment=a), "completed")

    @admin.action(description="Mark selected sessions as no-shows", permissions=["change"])
    def mark_no_show(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        actor = Actor.from_request(request)
        self._apply(
            request,
            queryset,
            lambda a: services.appointment_mark_no_show(actor=actor, appointment=a),
            "marked as no-shows",
        )

    @admin.action(description="Cancel selected sessions…", permissions=["change"])
    def cancel_appointments(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> HttpResponse | None:
        """Ask why first (an intermediate page), then cancel each selected session with that reason."""
        form = CancelForm(request.POST if request.POST.get("confirmed") == "yes" else None)
        if form.is_valid():
            actor = Actor.from_request(request)
            reason = form.cleaned_data["reason"]
            self._apply(
                request,
                queryset,
                lambda a: services.appointment_cancel(actor=actor, appointment=a, reason=reason),
                "cancelled",
            )
            return None  # back to the list
        appointments = list(queryset.select_related("patient", "provider", "session_type__clinic"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel sessions",
            "form": form,
            "rows": [
                f"{_local(a)} at {a.session_type.clinic.name}: {a.patient}, {a.provider}, {a.session_type}"
                for a in appointments
            ],
            "ids": [a.pk for a in appointments],
            "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "back_url": reverse("admin:scheduling_appointment_changelist"),
        }
        return HttpResponse(engines["django"].from_string(CANCEL_PAGE).render(context, request))


class SeriesAppointmentInline(admin.TabularInline[Appointment, Series]):
    model = Appointment
    fields = ("series_position", "local_start", "provider", "room", "status")
    readonly_fields = ("series_position", "local_start", "provider", "room", "status")
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["starts_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        return super().get_queryset(request).select_related("session_type__clinic", "provider", "room")

    @admin.display(description="Starts (location time)")
    def local_start(self, appointment: Appointment) -> str:
        return _local(appointment)

    def has_add_permission(self, request: HttpRequest, obj: Series | None = None) -> bool:
        return False


@admin.register(Series)
class SeriesAdmin(AuditedAdminMixin):
    """Series are booked as a whole (the "Book a series" page, or the API); here they are read, with their sessions."""

    list_display = ["__str__", "plan", "patient", "session_count", "created_at", "created_by"]
    list_filter = ["plan"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__phone"]
    list_select_related = ["plan", "patient", "created_by"]
    fields = ("plan", "patient", "created_at", "created_by")
    readonly_fields = ("plan", "patient", "created_at", "created_by")
    # The "Book a series" page picks its patient through the admin's autocomplete for this field.
    autocomplete_fields = ["patient"]
    inlines = [SeriesAppointmentInline]

    @admin.display(description="Sessions", ordering="session_count")
    def session_count(self, series: Series) -> int:
        return int(getattr(series, "session_count", 0))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Series]:
        queryset: QuerySet[Series] = super().get_queryset(request)
        return queryset.annotate(session_count=Count("appointments"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # not added field by field: booked whole on the "Book a series" page

    def has_delete_permission(self, request: HttpRequest, obj: Series | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        book = path("book/", self.admin_site.admin_view(self.book_view), name=admin_series.URL_NAME)
        return [book, *super().get_urls()]

    def book_view(self, request: HttpRequest) -> HttpResponse:
        return admin_series.series_book_view(request, self.admin_site)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_book_series": admin_series.series_book_allowed(request)}
        return super().changelist_view(request, extra_context)


from . import admin_calendar  # noqa: E402,F401  (registers the day-schedule admin page)


class UpcomingAppointmentInline(admin.TabularInline[Appointment, Patient]):
    """The patient's sessions still to come; booked and changed through scheduling, not here."""

    model = Appointment
    fk_name = "patient"
    verbose_name = "upcoming session"
    verbose_name_plural = "upcoming sessions"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ["starts", "ends", "location", "session_type", "provider", "room", "status"]
    readonly_fields = ["starts", "ends", "location", "session_type", "provider", "room", "status"]
    ordering = ["starts_at"]

    @admin.display(description="starts (location time)")
    def starts(self, appointment: Appointment) -> str:
        return _local(appointment)

    @admin.display(description="ends, with monitoring")
    def ends(self, appointment: Appointment) -> str:
        return _local(appointment, appointment.ends_at)

    @admin.display(description="location")
    def location(self, appointment: Appointment) -> str:
        return appointment.session_type.clinic.name

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        return (
            super()
            .get_queryset(request)
            .filter(status__in=UPCOMING_STATUSES, ends_at__gt=timezone.now())
            .select_related("session_type__clinic", "provider", "room")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


inline_add(PatientAdmin, UpcomingAppointmentInline)
