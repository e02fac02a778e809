"""The admin's "Day schedule" page: one location's day, one column per provider and per room, on a timeline.

Staff choose the location (`?clinic=<id>`, default the first location); the day, "today" and every
time on the page are that location's.

Imported once by scheduling/admin.py. The page is not a model, so it joins the default admin site
by wrapping two of the site's methods: `get_urls` (serves /admin/scheduling/schedule/) and
`get_app_list` (lists it under Scheduling on the index and in the sidebar, for staff who may see it).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, URLResolver, path, reverse

from clinic.accounts.actor import Actor
from clinic.accounts.locations import location_limit, staff_location_ids
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_current, clinic_timezone
from clinic.core.locations import locations_open
from clinic.core.models import Clinic

from .calendar import FIRST_DAY, LAST_DAY, DaySchedule, ScheduleBlock, ScheduleColumn, day_schedule, local_today
from .locations import day_schedule_limit
from .models import Appointment
from .schedule_notes import ScheduleNote, schedule_notes

PERMISSION = "scheduling.view_calendar"
URL_NAME = "scheduling_day_schedule"
TEMPLATE = "admin/scheduling/day_schedule.html"
PX_PER_MINUTE = 1.6
# The timeline shows at least 07:00 to 19:00 local time, and more if a session falls outside.
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 7, 19


@dataclass(frozen=True)
class BlockLayout:
    block: ScheduleBlock
    top: float
    session_height: float
    monitoring_height: float
    appointment_url: str | None
    patient_url: str | None
    notes: tuple[ScheduleNote, ...] = ()


@dataclass(frozen=True)
class ColumnLayout:
    column: ScheduleColumn
    blocks: list[BlockLayout]


@dataclass(frozen=True)
class HourMark:
    top: float
    label: str


def _utc(moment: datetime.datetime) -> datetime.datetime:
    # Subtracting two times that share a ZoneInfo gives wall-clock, not elapsed, time: go through UTC.
    return moment.astimezone(datetime.UTC)


def _minutes_between(start: datetime.datetime, end: datetime.datetime) -> float:
    return (_utc(end) - _utc(start)).total_seconds() / 60


def _url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # that model is not in the admin
        return None


@dataclass(frozen=True)
class Timeline:
    """The part of the day drawn, in elapsed minutes since local midnight."""

    schedule: DaySchedule
    first_minute: int
    last_minute: int

    @classmethod
    def of(cls, schedule: DaySchedule) -> Timeline:
        tz = schedule.starts_at.tzinfo
        day_minutes = _minutes_between(schedule.starts_at, schedule.ends_at)
        first = _minutes_between(
            schedule.starts_at, datetime.datetime.combine(schedule.day, datetime.time(DEFAULT_FIRST_HOUR), tzinfo=tz)
        )
        last = _minutes_between(
            schedule.starts_at, datetime.datetime.combine(schedule.day, datetime.time(DEFAULT_LAST_HOUR), tzinfo=tz)
        )
        for column in (*schedule.providers, *schedule.rooms):
            for block in column.blocks:
                first = min(first, _minutes_between(schedule.starts_at, block.starts_at))
                last = max(last, _minutes_between(schedule.starts_at, block.ends_at))
        first_hour = max(0, math.floor(first / 60))
        last_hour = min(math.ceil(day_minutes / 60), math.ceil(last / 60))
        return cls(schedule=schedule, first_minute=first_hour * 60, last_minute=last_hour * 60)

    @property
    def height(self) -> float:
        return (self.last_minute - self.first_minute) * PX_PER_MINUTE

    def offset(self, moment: datetime.datetime) -> float:
        minutes = _minutes_between(self.schedule.starts_at, moment)
        return (min(max(minutes, self.first_minute), self.last_minute) - self.first_minute) * PX_PER_MINUTE

    def hour_marks(self) -> list[HourMark]:
        """Label each real hour with the local time it had; a DST day repeats or skips a label."""
        tz = self.schedule.starts_at.tzinfo
        midnight = _utc(self.schedule.starts_at)
        is_dst_change_day = _minutes_between(self.schedule.starts_at, self.schedule.ends_at) != 24 * 60
        marks = []
        for minute in range(self.first_minute, self.last_minute, 60):
            local = (midnight + datetime.timedelta(minutes=minute)).astimezone(tz)
            label = local.strftime("%H:%M %Z" if is_dst_change_day else "%H:%M")
            marks.append(HourMark(top=(minute - self.first_minute) * PX_PER_MINUTE, label=label))
        return marks

    def layout(self, column: ScheduleColumn, notes: dict[int, list[ScheduleNote]] | None = None) -> ColumnLayout:
        blocks = []
        for block in column.blocks:
            top = self.offset(block.starts_at)
            session_end = self.offset(block.session_ends_at)
            end = self.offset(block.ends_at)
            blocks.append(
                BlockLayout(
                    block=block,
                    top=top,
                    session_height=max(session_end - top, 1.0),
                    monitoring_height=max(end - session_end, 0.0),
                    appointment_url=_url_or_none("admin:scheduling_appointment_change", block.appointment_id),
                    patient_url=_url_or_none("admin:patients_patient_change", block.patient_id),
                    notes=tuple((notes or {}).get(block.appointment_id, ())),
                )
            )
        return ColumnLayout(column=column, blocks=blocks)


def _parse_day(raw: str) -> datetime.date:
    try:
        day = datetime.datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError as exc:
        raise ValueError("Enter the date as YYYY-MM-DD.") from exc
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"Choose a date from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}.")
    return day


def _locations_of(user: object) -> QuerySet[Clinic]:
    """The locations whose day this user may open: theirs when they are limited to some, else all."""
    return location_limit(Clinic.objects.order_by("name", "id"), user=user)


def _parse_location(raw: str, user: object) -> Clinic | None:
    """The location asked for (`?clinic=<id>`), else the first one the user may open; ValueError for one
    that does not exist or is not theirs (the same answer: another location's id says nothing)."""
    if not raw:
        first = clinic_current()
        return first if staff_location_ids(user) is None else _locations_of(user).first()
    location = _locations_of(user).filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else None
    if location is None:
        raise ValueError("Choose one of the locations.")
    return location


def _location_choices(chosen: Clinic | None, user: object) -> list[Clinic]:
    """The user's open locations, and the chosen one even if it has closed (its history stays readable)."""
    locations = list(location_limit(locations_open(), user=user))
    if chosen is not None and chosen not in locations:
        locations.append(chosen)
    return locations


def day_schedule_view(request: HttpRequest) -> HttpResponse:
    """Show a location's local day's sessions, one column per provider and one per room."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    raw_location = request.GET.get("clinic", "").strip()
    try:
        location = _parse_location(raw_location, request.user)
    except ValueError as exc:
        location, location_error = clinic_current(), str(exc)
    else:
        location_error = ""
    tz = clinic_timezone(location)
    today = local_today(tz)
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": "Day schedule",
        "today": today,
        "timezone": tz.key,
        "location": location,
        "locations": _location_choices(location, request.user),
    }
    raw = request.GET.get("date", "").strip()
    try:
        if location_error:
            raise ValueError(location_error)
        day = _parse_day(raw) if raw else today
    except ValueError as exc:
        context.update(error=str(exc), day=today, raw_date=raw[:20])
        return TemplateResponse(request, TEMPLATE, context, status=400)

    schedule = day_schedule_limit(day_schedule(day=day, clinic=location), user=request.user)
    where = f" at location {location.pk}" if location is not None else ""
    audit_by(
        Actor.from_request(request),
        action=AuditEvent.Action.LIST,
        target_type=Appointment._meta.label,
        detail=f"admin day schedule {day.isoformat()}{where}: {schedule.appointment_count} appointments",
    )
    timeline = Timeline.of(schedule)
    # What other apps show under each session (schedule_notes.py): read once for the day's sessions.
    blocks = {block.appointment_id: block for column in schedule.providers for block in column.blocks}
    appointments = list(Appointment.objects.filter(pk__in=blocks).order_by("starts_at", "id"))
    notes = schedule_notes(request, appointments)
    context.update(
        day=day,
        schedule=schedule,
        previous_day=day - datetime.timedelta(days=1) if day > FIRST_DAY else None,
        next_day=day + datetime.timedelta(days=1) if day < LAST_DAY else None,
        hour_marks=timeline.hour_marks(),
        timeline_height=timeline.height,
        provider_columns=[timeline.layout(column, notes) for column in schedule.providers],
        session_notes=[(blocks[a.pk], notes[a.pk]) for a in appointments if notes.get(a.pk)],
        room_columns=[timeline.layout(column) for column in schedule.rooms],
        appointment_count=schedule.appointment_count,
    )
    return TemplateResponse(request, TEMPLATE, context)


def _schedule_entry(request: HttpRequest) -> dict[str, Any]:
    return {
        "model": None,
        "name": "Day schedule",
        "object_name": "DaySchedule",
        "perms": {"add": False, "change": False, "delete": False, "view": True},
        "admin_url": reverse(f"admin:{URL_NAME}"),
        "add_url": None,
        "view_only": True,
    }


def install(site: admin.AdminSite) -> None:
    """Serve the page under the site's URLs and list it first in the Scheduling section."""
    if getattr(site, "_day_schedule_installed", False):
        return
    original_get_urls: Callable[[], list[URLPattern | URLResolver]] = site.get_urls
    original_get_app_list: Callable[..., list[Any]] = site.get_app_list

    def get_urls() -> list[URLPattern | URLResolver]:
        page = path("scheduling/schedule/", site.admin_view(day_schedule_view), name=URL_NAME)
        return [page, *original_get_urls()]

    def get_app_list(request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = original_get_app_list(request, app_label)
        if request.user.has_perm(PERMISSION):
            for app in app_list:
                if app["app_label"] == "scheduling":
                    app["models"].insert(0, _schedule_entry(request))
        return app_list

    site.get_urls = get_urls  # type: ignore[method-assign]
    site.get_app_list = get_app_list  # type: ignore[method-assign]
    site._day_schedule_installed = True  # type: ignore[attr-defined]


install(admin.site)
