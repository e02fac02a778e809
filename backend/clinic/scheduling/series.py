"""Induction series: propose a plan's dates from a start day, then book them all or none."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_timezone
from clinic.patients.models import Patient

from .availability import Slot, availability_for
from .models import Appointment, Provider, Room, Series, SeriesPlan
from .services import Booking, appointment_book, as_utc


@dataclass(frozen=True)
class ProposedSession:
    position: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room_id: int | None


@dataclass(frozen=True)
class SeriesSession:
    """One session of a series as staff confirmed it."""

    starts_at: datetime.datetime
    room: Room | None = None


def _closest_to(slots: Sequence[Slot], preferred: datetime.time | None, tz: zoneinfo.ZoneInfo) -> Slot:
    """Pick the first slot of the day, or the one nearest the preferred local time."""
    if preferred is None:
        return slots[0]

    def distance(slot: Slot) -> float:
        local = slot.starts_at.astimezone(tz)
        wanted = datetime.datetime.combine(local.date(), preferred, tzinfo=tz)
        return abs((local - wanted).total_seconds())

    return min(slots, key=distance)


def series_propose(
    *,
    plan: SeriesPlan,
    patient: Patient,
    provider: Provider,
    first_day: datetime.date,
    preferred_time: datetime.time | None = None,
    room: Room | None = None,
    now: datetime.datetime | None = None,
) -> list[ProposedSession]:
    """Propose the plan's sessions: each on the first day with room for it, spaced as the plan says.

    Every session happens at the plan's session type's location, so only the provider's working hours
    there count; `first_day` and `preferred_time` are that location's local day and time. Days
    without availability are skipped. Nothing is written; staff confirm with series_book.
    """
    tz = clinic_timezone(plan.session_type.clinic)
    now = now or timezone.now()
    last_day = first_day + datetime.timedelta(days=plan.max_span_days)
    slots = availability_for(
        session_type=plan.session_type,
        provider=provider,
        date_from=first_day,
        date_to=last_day,
        tz=tz,
        room=room,
        patient_id=patient.pk,
        now=now,
    )
    by_day: dict[datetime.date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)

    gap = datetime.timedelta(hours=plan.min_gap_hours)
    proposed: list[ProposedSession] = []
    earliest = now
    for position in range(1, plan.sessions + 1):
        if proposed:
            earliest = max(proposed[-1].starts_at + gap, proposed[-1].ends_at)
            last_day = min(
                last_day, (proposed[0].starts_at + datetime.timedelta(days=plan.max_span_days)).astimezone(tz).date()
            )
        chosen: Slot | None = None
        for day in sorted(by_day):
            if day > last_day:
                break
            fitting = [slot for slot in by_day[day] if slot.starts_at >= earliest]
            if fitting:
                chosen = _closest_to(fitting, preferred_time, tz)
                break
        if chosen is None or (
            proposed and chosen.starts_at - proposed[0].starts_at > datetime.timedelta(days=plan.max_span_days)
        ):
            raise ValidationError(
                {
                    "first_day": (
                        f"Only {len(proposed)} of the {plan.sessions} sessions fit within {plan.max_span_days} days "
                        f"of {first_day:%Y-%m-%d} with this provider: try a later start or another provider."
                    )
                }
            )
        proposed.append(
            ProposedSession(
                position=position,
                starts_at=chosen.starts_at,
                ends_at=chosen.ends_at,
                room_id=chosen.room_ids[0] if chosen.room_ids else None,
            )
        )
    return proposed


def series_check_spacing(plan: SeriesPlan, starts: Sequence[datetime.datetime]) -> None:
    """Check a whole set of start times against the plan: count, spacing and span."""
    if len(starts) != plan.sessions:
        raise ValidationError({"sessions": f"This plan has {plan.sessions} sessions; {len(starts)} were given."})
    ordered = sorted(starts)
    gap = datetime.timedelta(hours=plan.min_gap_hours)
    if any(later - earlier < gap for earlier, later in itertools.pairwise(ordered)):
        raise ValidationError({"sessions": f"Sessions of this plan must be at least {plan.min_gap_hours} hours apart."})
    if ordered[-1] - ordered[0] > datetime.timedelta(days=plan.max_span_days):
        raise ValidationError({"sessions": f"The whole series must fit within {plan.max_span_days} days."})


@transaction.atomic
def series_book(
    *,
    actor: Actor,
    plan: SeriesPlan,
    patient: Patient,
    provider: Provider,
    sessions: Sequence[SeriesSession],
) -> tuple[Series, list[Appointment]]:
    """Book every session of a series, or none: one conflict rolls the whole series back."""
    if not plan.is_active:
        raise ValidationError({"plan": "This plan is no longer offered."})
    sessions = [SeriesSession(starts_at=as_utc(session.starts_at), room=session.room) for session in sessions]
    series_check_spacing(plan, [session.starts_at for session in sessions])
    series = Series.objects.create(plan=plan, patient=patient, created_by=actor.user_or_none)
    appointments = [
        appointment_book(
            actor=actor,
            booking=Booking(
                patient=patient,
                provider=provider,
                session_type=plan.session_type,
                starts_at=session.starts_at,
                room=session.room,
            ),
            series=series,
            series_position=position,
        )
        for position, session in enumerate(sorted(sessions, key=lambda s: s.starts_at), start=1)
    ]
    audit_by(actor, action=AuditEvent.Action.CREATE, target=series, detail=f"series of {len(appointments)} sessions")
    return series, appointments
