"""Free start times: a provider's working hours at a location minus time off and what is already booked.

A provider may work at several locations, on given days: a session type belongs to one location, and
only the provider's working hours there count, read in that location's time zone. Everything is
computed in that zone and returned as aware datetimes, so a working day that starts at 09:00 local
time starts at 09:00 on both sides of a daylight-saving change. What the provider has booked
anywhere (and their time off) makes them busy everywhere: one person, one place at a time (the
provider exclusion constraint holds it in the database too). Travel between sites is the clinic's
to plan when it sets the hours: no rule here adds travel time between two locations' blocks.

The database is asked only for the window requested, and only about this provider and this
location's rooms: the cost follows the window, not the history, nor the other locations' calendars.
"""

from __future__ import annotations

import bisect
import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from clinic.core.clinics import clinic_timezone
from clinic.core.models import Clinic

from .models import OCCUPYING_STATUSES, Appointment, Provider, Room, SessionType, TimeOff, WorkingHours
from .selectors import providers_working_at

# No appointment occupies more than this; it bounds the look-back when fetching bookings.
MAX_OCCUPANCY = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    provider_id: int
    room_ids: tuple[int, ...] = ()


@dataclass
class BusyTimes:
    """Sorted, merged [start, end) intervals, answering "is this range free?" by bisection."""

    starts: list[datetime.datetime] = field(default_factory=list)
    ends: list[datetime.datetime] = field(default_factory=list)

    @classmethod
    def of(cls, intervals: Iterable[tuple[datetime.datetime, datetime.datetime]]) -> BusyTimes:
        busy = cls()
        for start, end in sorted(intervals):
            if busy.ends and start <= busy.ends[-1]:
                busy.ends[-1] = max(busy.ends[-1], end)
            else:
                busy.starts.append(start)
                busy.ends.append(end)
        return busy

    def is_free(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        # The last busy interval starting before `end` is the only one that can overlap [start, end).
        index = bisect.bisect_left(self.starts, end) - 1
        return index < 0 or self.ends[index] <= start


def _local_candidates(
    *,
    hours: Sequence[WorkingHours],
    day: datetime.date,
    tz: zoneinfo.ZoneInfo,
    occupies: datetime.timedelta,
    step: datetime.timedelta,
) -> Iterable[tuple[datetime.datetime, datetime.datetime]]:
    """Yield (start, end) for each start on the grid whose whole stay fits in one working block."""
    for block in hours:
        if block.weekday != day.weekday():
            continue
        block_start = datetime.datetime.combine(day, block.starts, tzinfo=tz)
        block_end = datetime.datetime.combine(day, block.ends, tzinfo=tz)
        start = block_start
        while True:
            start_utc = start.astimezone(datetime.UTC)
            end_utc = start_utc + occupies  # real elapsed time, also across a DST change
            if end_utc > block_end.astimezone(datetime.UTC):
                break
            # A local time inside a spring-forward gap does not exist; skip it.
            if start_utc.astimezone(tz).replace(tzinfo=None) == start.replace(tzinfo=None):
                yield start_utc, end_utc
            start = (datetime.datetime.combine(day, start.time()) + step).replace(tzinfo=tz)


def local_day_start(day: datetime.date, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """Midnight at the start of a local day, in UTC."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz).astimezone(datetime.UTC)


def working_hours_contain(
    *, provider: Provider, clinic: Clinic, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> bool:
    """Tell whether [starts_at, ends_at) lies inside one of the provider's working blocks at this location
    (read in the location's time zone)."""
    tz = clinic_timezone(clinic)
    local_start = starts_at.astimezone(tz)
    for block in provider.working_hours.filter(clinic_id=clinic.pk, weekday=local_start.weekday()):
        block_start = datetime.datetime.combine(local_start.date(), block.starts, tzinfo=tz)
        block_end = datetime.datetime.combine(local_start.date(), block.ends, tzinfo=tz)
        if block_start.astimezone(datetime.UTC) <= starts_at and ends_at <= block_end.astimezone(datetime.UTC):
            return True
    return False


def _busy_for(
    *,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    provider: Provider | None = None,
    room_ids: Sequence[int] = (),
    exclude_appointment_id: int | None = None,
) -> tuple[BusyTimes, dict[int, BusyTimes]]:
    booked = Appointment.objects.filter(
        status__in=OCCUPYING_STATUSES,
        starts_at__gte=window_start - MAX_OCCUPANCY,  # a lower bound lets the index skip older history
        starts_at__lt=window_end,
        ends_at__gt=window_start,
    )
    if exclude_appointment_id is not None:
        booked = booked.exclude(pk=exclude_appointment_id)
    provider_busy: list[tuple[datetime.datetime, datetime.datetime]] = []
    if provider is not None:
        provider_busy = list(booked.filter(provider=provider).values_list("starts_at", "ends_at"))
        provider_busy += TimeOff.objects.filter(
            provider=provider, starts_at__lt=window_end, ends_at__gt=window_start
        ).values_list("starts_at", "ends_at")
    rooms: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {room_id: [] for room_id in room_ids}
    if room_ids:
        for room_id, start, end in booked.filter(room_id__in=room_ids).values_list("room_id", "starts_at", "ends_at"):
            if room_id is not None:
                rooms[room_id].append((start, end))
    return BusyTimes.of(provider_busy), {room_id: BusyTimes.of(spans) for room_id, spans in rooms.items()}


def rooms_for(session_type: SessionType, room: Room | None = None) -> list[Room]:
    """Which rooms a session of this type may use: the one asked for, or every suitable one."""
    if room is not None:
        return [room]
    if not session_type.needs_chair:
        return []
    return list(Room.objects.filter(clinic_id=session_type.clinic_id, is_active=True, is_treatment_chair=True))


def availability_for(
    *,
    session_type: SessionType,
    provider: Provider,
    date_from: datetime.date,
    date_to: datetime.date,
    tz: zoneinfo.ZoneInfo | None = None,
    room: Room | None = None,
    patient_id: int | None = None,
    exclude_appointment_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[Slot]:
    """Free start times for one provider at the session type's location, from date_from to date_to.

    The days are local days in `tz` (default, and normally: the location's zone). Only the provider's
    working hours at that location count, in the location's zone.
    """
    now = now or timezone.now()
    if not (provider.is_active and session_type.is_active):
        return []  # nothing here could ever be booked
    hours = list(provider.working_hours.filter(clinic_id=session_type.clinic_id))
    if not hours:
        return []  # the provider does not work at this location
    location_tz = clinic_timezone(session_type.clinic)
    tz = tz or location_tz
    first_moment = local_day_start(date_from, tz)
    after_last_moment = local_day_start(date_to + datetime.timedelta(days=1), tz)
    window_end = after_last_moment + datetime.timedelta(minutes=session_type.occupies_minutes)
    candidate_rooms = rooms_for(session_type, room)
    provider_busy, room_busy = _busy_for(
        window_start=first_moment,
        window_end=window_end,
        provider=provider,
        room_ids=[candidate.pk for candidate in candidate_rooms],
        exclude_appointment_id=exclude_appointment_id,
    )
    patient_busy = BusyTimes()
    if patient_id is not None:
        patient_booked = Appointment.objects.filter(
            patient_id=patient_id,
            status__in=OCCUPYING_STATUSES,
            starts_at__gte=first_moment - MAX_OCCUPANCY,
            starts_at__lt=window_end,
        )
        if exclude_appointment_id is not None:
            patient_booked = patient_booked.exclude(pk=exclude_appointment_id)
        patient_busy = BusyTimes.of(patient_booked.values_list("starts_at", "ends_at"))

    occupies = datetime.timedelta(minutes=session_type.occupies_minutes)
    step = datetime.timedelta(minutes=settings.SCHEDULING_SLOT_MINUTES)
    slots: list[Slot] = []
    # The location's own days that overlap the window asked for (the same days when `tz` is the location's).
    day = first_moment.astimezone(location_tz).date()
    last_day = (after_last_moment - datetime.timedelta(microseconds=1)).astimezone(location_tz).date()
    while day <= last_day:
        for start, end in _local_candidates(hours=hours, day=day, tz=location_tz, occupies=occupies, step=step):
            if not first_moment <= start < after_last_moment:
                continue
            if start <= now or not provider_busy.is_free(start, end) or not patient_busy.is_free(start, end):
                continue
            free_rooms = tuple(room_id for room_id, busy in room_busy.items() if busy.is_free(start, end))
            if (candidate_rooms or session_type.needs_chair) and not free_rooms:
                continue
            slots.append(Slot(starts_at=start, ends_at=end, provider_id=provider.pk, room_ids=free_rooms))
        day += datetime.timedelta(days=1)
    # Overlapping working blocks may offer the same start twice.
    unique = {slot.starts_at: slot for slot in slots}
    return [unique[start] for start in sorted(unique)]


def availability_at_location(
    *,
    session_type: SessionType,
    date_from: datetime.date,
    date_to: datetime.date,
    provider: Provider | None = None,
    patient_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[Slot]:
    """Free start times at the session type's location: of one provider, or of every active provider with
    working hours there, on the location's local days, soonest first."""
    providers = [provider] if provider is not None else list(providers_working_at(clinic_id=session_type.clinic_id))
    slots = [
        slot
        for candidate in providers
        for slot in availability_for(
            session_type=session_type,
            provider=candidate,
            date_from=date_from,
            date_to=date_to,
            patient_id=patient_id,
            now=now,
        )
    ]
    slots.sort(key=lambda slot: (slot.starts_at, slot.provider_id))
    return slots
