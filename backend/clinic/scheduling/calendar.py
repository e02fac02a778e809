"""Reads of the calendar as staff look at it: one local day, column by column.

A "day" is a location's local calendar day, from local midnight to the next local midnight. Both
ends are turned into UTC on their own, so a day is 23, 24 or 25 hours long around a DST change and
every time shown keeps the UTC offset it really had (01:30 EDT and 01:30 EST are two moments).

The day of one location shows its sessions and its providers (those with working hours there that
day) and rooms. Without a location, the day (in the first location's zone, unless another is given)
shows every location's sessions; each block keeps its own location's zone, and names it.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from clinic.core.clinics import clinic_timezone
from clinic.core.models import Clinic

from .models import OCCUPYING_STATUSES, Appointment, Provider, Room, WorkingHours

# Days before 1900 or after 2999 are refused: far-off dates overflow datetime arithmetic.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)
DEFAULT_COLOR = "#4a7bd0"
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class ScheduleBlock:
    """One appointment as a block on the day: the session proper, then its monitoring."""

    appointment_id: int
    starts_at: datetime.datetime  # local, aware
    session_ends_at: datetime.datetime  # local: end of the session proper
    ends_at: datetime.datetime  # local: end of monitoring (the chair and provider are busy until then)
    status: str
    status_label: str
    session_type_id: int
    session_type_name: str
    color: str
    provider_id: int
    provider_name: str
    room_id: int | None
    room_name: str | None
    patient_id: int
    patient_name: str
    series_position: int | None
    clinic_id: int  # the session's location; its times are in that location's zone
    clinic_name: str
    timezone: str

    @property
    def has_monitoring(self) -> bool:
        # Compared in UTC: two times sharing a ZoneInfo compare by wall clock, wrong in a DST fall-back hour.
        return self.ends_at.astimezone(datetime.UTC) > self.session_ends_at.astimezone(datetime.UTC)


@dataclass(frozen=True)
class ScheduleColumn:
    kind: str  # "provider" or "room"
    id: int | None  # None only for the room column of sessions without a room
    name: str
    blocks: tuple[ScheduleBlock, ...]


@dataclass(frozen=True)
class DaySchedule:
    day: datetime.date
    timezone: str
    starts_at: datetime.datetime  # local midnight
    ends_at: datetime.datetime  # the next local midnight
    providers: tuple[ScheduleColumn, ...]
    rooms: tuple[ScheduleColumn, ...]
    clinic: Clinic | None = None  # the location shown; None: every location

    @property
    def appointment_count(self) -> int:
        return len({block.appointment_id for column in self.providers for block in column.blocks})


def local_today(tz: zoneinfo.ZoneInfo | None = None, *, now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(tz or clinic_timezone()).date()


def local_day_bounds(day: datetime.date, tz: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the UTC instants of local midnight on `day` and on the day after."""
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def safe_color(value: str) -> str:
    """Return the colour if it is a plain #rrggbb, else the default: it is written into inline CSS."""
    return value if _HEX_COLOR.fullmatch(value or "") else DEFAULT_COLOR


def occupying_between(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Appointment]:
    """Occupying appointments that overlap [start, end), with what a calendar shows of them."""
    return (
        Appointment.objects.filter(status__in=OCCUPYING_STATUSES, starts_at__lt=end, ends_at__gt=start)
        .select_related("patient", "provider", "room", "session_type__clinic")
        .order_by("starts_at", "id")
    )


def _block(appointment: Appointment) -> ScheduleBlock:
    # Arithmetic in UTC (real elapsed minutes), converted to the location's time only at the end.
    clinic = appointment.session_type.clinic
    tz = clinic_timezone(clinic)
    session_end = min(
        appointment.starts_at + datetime.timedelta(minutes=appointment.session_type.duration_minutes),
        appointment.ends_at,
    )
    patient = appointment.patient
    return ScheduleBlock(
        appointment_id=appointment.pk,
        starts_at=appointment.starts_at.astimezone(tz),
        session_ends_at=session_end.astimezone(tz),
        ends_at=appointment.ends_at.astimezone(tz),
        status=appointment.status,
        status_label=appointment.get_status_display(),
        session_type_id=appointment.session_type_id,
        session_type_name=appointment.session_type.name,
        color=safe_color(appointment.session_type.color),
        provider_id=appointment.provider_id,
        provider_name=appointment.provider.display_name,
        room_id=appointment.room_id,
        room_name=appointment.room.name if appointment.room else None,
        patient_id=patient.pk,
        patient_name=f"{patient.first_name} {patient.last_name}".strip(),
        series_position=appointment.series_position,
        clinic_id=clinic.pk,
        clinic_name=clinic.name,
        timezone=tz.key,
    )


def _provider_columns(
    blocks: list[ScheduleBlock],
    clinic: Clinic | None,
    *,
    day: datetime.date,
    provider_id: int | None,
    room_id: int | None,
) -> tuple[ScheduleColumn, ...]:
    wanted = {block.provider_id for block in blocks}
    if provider_id is not None:
        wanted = {provider_id}
    elif room_id is None:
        # The whole day: every active provider working there that day gets a column, free or not.
        hours = WorkingHours.objects.filter(weekday=day.weekday(), provider__is_active=True)
        if clinic is not None:
            hours = hours.filter(clinic=clinic)
        wanted |= set(hours.values_list("provider_id", flat=True))
    providers = Provider.objects.filter(pk__in=wanted).order_by("display_name", "id")
    return tuple(
        ScheduleColumn(
            kind="provider",
            id=provider.pk,
            name=str(provider),
            blocks=tuple(block for block in blocks if block.provider_id == provider.pk),
        )
        for provider in providers
    )


def _room_columns(
    blocks: list[ScheduleBlock], clinic: Clinic | None, *, provider_id: int | None, room_id: int | None
) -> tuple[ScheduleColumn, ...]:
    wanted = {block.room_id for block in blocks if block.room_id is not None}
    if room_id is not None:
        wanted = {room_id}
    elif provider_id is None:
        rooms = Room.objects.filter(is_active=True)
        wanted |= set((rooms.filter(clinic=clinic) if clinic is not None else rooms).values_list("id", flat=True))
    columns = [
        ScheduleColumn(
            kind="room",
            id=room.pk,
            name=room.name,
            blocks=tuple(block for block in blocks if block.room_id == room.pk),
        )
        for room in Room.objects.filter(pk__in=wanted).order_by("name", "id")
    ]
    roomless = tuple(block for block in blocks if block.room_id is None)
    if roomless and room_id is None:
        columns.append(ScheduleColumn(kind="room", id=None, name="No room", blocks=roomless))
    return tuple(columns)


def day_schedule(
    *,
    day: datetime.date,
    clinic: Clinic | None = None,
    tz: zoneinfo.ZoneInfo | None = None,
    provider_id: int | None = None,
    room_id: int | None = None,
) -> DaySchedule:
    """Return a local day's occupying appointments, grouped by provider and by room.

    With a location: its day in its zone, its sessions; without: the day in `tz` (default the first
    location's zone) and every location's sessions. Without provider or room filters every active
    provider working there that day and every active room gets a column, even on a free day.
    Appointments that cross midnight appear on both days they touch.
    """
    tz = tz or clinic_timezone(clinic)
    start, end = local_day_bounds(day, tz)
    appointments = occupying_between(start, end)
    if clinic is not None:
        appointments = appointments.filter(session_type__clinic=clinic)
    if provider_id is not None:
        appointments = appointments.filter(provider_id=provider_id)
    if room_id is not None:
        appointments = appointments.filter(room_id=room_id)
    blocks = [_block(appointment) for appointment in appointments]
    return DaySchedule(
        day=day,
        timezone=tz.key,
        starts_at=start.astimezone(tz),
        ends_at=end.astimezone(tz),
        providers=_provider_columns(blocks, clinic, day=day, provider_id=provider_id, room_id=room_id),
        rooms=_room_columns(blocks, clinic, provider_id=provider_id, room_id=room_id),
        clinic=clinic,
    )


def provider_feed_appointments(
    *, provider: Provider, now: datetime.datetime | None = None, past_days: int = 30, future_days: int = 180
) -> QuerySet[Appointment]:
    """Occupying appointments of one provider from `past_days` ago to `future_days` ahead."""
    now = now or timezone.now()
    return occupying_between(
        now - datetime.timedelta(days=past_days), now + datetime.timedelta(days=future_days)
    ).filter(provider=provider)


def schedule_filters_exist(
    *, provider_id: int | None, room_id: int | None, clinic_id: int | None = None
) -> dict[str, str]:
    """Name each filter that points at nothing, as field errors."""
    errors: dict[str, str] = {}
    if clinic_id is not None and not Clinic.objects.filter(pk=clinic_id).exists():
        errors["clinic"] = "No location has this id."
    if provider_id is not None and not Provider.objects.filter(pk=provider_id).exists():
        errors["provider"] = "No provider has this id."
    if room_id is not None and not Room.objects.filter(pk=room_id).exists():
        errors["room"] = "No room has this id."
    return errors
