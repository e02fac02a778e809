"""Reads of the waitlist: a location's settings, which entries a freed time suits (and in which order),
and how many chairs the waitlist filled each week.

Who is offered a freed time, in this order (the fair-order rule):

1. Entries still active, for the slot's session type (so at its location), not offered this slot before,
   and not of the patient whose session left it; one entry per patient.
2. The entry's preferences hold: its providers (none: any), weekdays and day parts or time windows, read in
   the location's time zone.
3. The slot leaves enough notice from now: the session type's fasting hours plus the location's minimum
   (time to fast and to find a driver).
4. The patient can be texted now: consent for their number, not opted out, and inside their texting hours
   (the clinic's hours in the patient's zone). Someone outside their hours is not skipped for good: the
   sweep offers them the time once their hours open, if it is still free and the notice still holds.
5. The patient is free then (no other session overlaps), and an "earlier if possible" entry's session is
   still coming and later than the freed time (it is moved, never doubled).
6. Oldest entry first (created_at, then id): whoever asked first is offered first; joining again with new
   preferences keeps one's place.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from clinic.core.clinics import clinic_timezone
from clinic.core.models import Clinic
from clinic.messaging.selectors import patient_phone_state
from clinic.messaging.texting_hours import texting_window
from clinic.scheduling.models import OCCUPYING_STATUSES, Appointment, SessionType

from .models import MOVABLE, FreedSlot, WaitlistEntry, WaitlistSettings, time_window_bounds


def waitlist_settings_for(clinic: Clinic | int) -> WaitlistSettings | None:
    clinic_id = clinic if isinstance(clinic, int) else clinic.pk
    return WaitlistSettings.objects.filter(clinic_id=clinic_id).first()


def waitlist_enabled_for(clinic: Clinic | int) -> bool:
    """Whether this location fills freed times from its waitlist (a page may offer "earlier if possible")."""
    found = waitlist_settings_for(clinic)
    return found is not None and found.is_enabled


def offer_notice(session_type: SessionType, settings: WaitlistSettings) -> datetime.timedelta:
    """How far ahead a freed time must be for an offer: fasting hours plus the location's minimum."""
    return datetime.timedelta(hours=session_type.fasting_hours + settings.min_notice_hours)


def slot_still_free(slot: FreedSlot) -> bool:
    """Whether nobody holds the slot's provider or chair at its time (staff may have booked it since)."""
    busy = Appointment.objects.filter(
        status__in=OCCUPYING_STATUSES, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at
    )
    holder = Q(provider_id=slot.provider_id)
    if slot.room_id is not None:
        holder |= Q(room_id=slot.room_id)
    return not busy.filter(holder).exists()


def _time_suits(entry: WaitlistEntry, local: datetime.datetime) -> bool:
    if entry.preferred_weekdays and local.weekday() not in entry.preferred_weekdays:
        return False
    if not entry.preferred_times:
        return True
    clock = local.time()
    for window in entry.preferred_times:
        starts, ends = time_window_bounds(window)
        if starts <= clock < ends:
            return True
    return False


@dataclass(frozen=True)
class Match:
    entry: WaitlistEntry
    problem: str  # "" when the slot may be offered to this entry now

    @property
    def ok(self) -> bool:
        return not self.problem


def slot_match_problem(
    entry: WaitlistEntry, slot: FreedSlot, *, now: datetime.datetime, settings: WaitlistSettings
) -> str:
    """Why this entry may not be offered this slot now (rules 2 to 5 above), or "" if it may."""
    provider_ids = {provider.pk for provider in entry.providers.all()}
    if provider_ids and slot.provider_id not in provider_ids:
        return "another provider"
    if not _time_suits(entry, slot.starts_at.astimezone(clinic_timezone(slot.clinic))):
        return "not a preferred day or time"
    if slot.starts_at - now < offer_notice(slot.session_type, settings):
        return "too little notice"
    patient = entry.patient
    if not patient_phone_state(patient).can_text:
        return "cannot be texted"
    if not texting_window(timezone_name=patient.timezone, clinic=slot.clinic).allows(now):
        return "outside texting hours"
    moving = entry.appointment
    if moving is not None and (moving.status not in MOVABLE or moving.starts_at <= slot.starts_at):
        return "the session to move is not later"
    other_sessions = Appointment.objects.filter(
        patient_id=patient.pk, status__in=OCCUPYING_STATUSES, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at
    )
    if moving is not None:
        other_sessions = other_sessions.exclude(pk=moving.pk)
    if other_sessions.exists():
        return "another session then"
    return ""


def slot_waiting_entries(slot: FreedSlot) -> QuerySet[WaitlistEntry]:
    """Rule 1, in the fair order (rule 6): active entries for the slot's session type not yet offered it."""
    entries = (
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.ACTIVE, session_type_id=slot.session_type_id)
        .exclude(patient_id__in=slot.offers.values("entry__patient_id"))
        .select_related("patient", "appointment")
        .prefetch_related("providers")
        .order_by("created_at", "id")
    )
    if slot.freed_by_id is not None:
        entries = entries.exclude(patient_id__in=Appointment.objects.filter(pk=slot.freed_by_id).values("patient_id"))
    return entries


def slot_candidates(
    slot: FreedSlot, *, now: datetime.datetime, settings: WaitlistSettings, limit: int
) -> list[WaitlistEntry]:
    """The next `limit` entries to offer this slot to, oldest first, one per patient."""
    chosen: list[WaitlistEntry] = []
    patients: set[int] = set()
    for entry in slot_waiting_entries(slot).iterator(chunk_size=100):
        if entry.patient_id in patients:
            continue
        if not slot_match_problem(entry, slot, now=now, settings=settings):
            chosen.append(entry)
            patients.add(entry.patient_id)
            if len(chosen) >= limit:
                break
    return chosen


@dataclass(frozen=True)
class WeekFilled:
    clinic_id: int
    clinic_name: str
    week: datetime.date  # the Monday the week starts (in UTC)
    freed: int
    filled: int


def chairs_filled_per_week(*, clinics: QuerySet[Clinic], weeks: int = 12, now: datetime.datetime) -> list[WeekFilled]:
    """Per location and week (newest first): slots freed, and slots filled from the waitlist."""
    since = now - datetime.timedelta(weeks=weeks)
    rows = (
        FreedSlot.objects.filter(clinic__in=clinics, created_at__gte=since)
        .annotate(week=TruncWeek("starts_at"))
        .values("clinic_id", "clinic__name", "week")
        .annotate(freed=Count("id"), filled=Count("id", filter=Q(status=FreedSlot.Status.FILLED)))
        .order_by("-week", "clinic__name")
    )
    return [
        WeekFilled(
            clinic_id=row["clinic_id"],
            clinic_name=row["clinic__name"],
            week=row["week"].date(),
            freed=row["freed"],
            filled=row["filled"],
        )
        for row in rows
    ]
