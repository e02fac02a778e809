"""Reads of self-booking: the times on offer (always computed afresh from the calendar) and offers by token."""

from __future__ import annotations

import datetime
import math
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from clinic.core.clinics import clinic_timezone
from clinic.core.link_tokens import link_token_digest
from clinic.scheduling.availability import Slot, availability_at_location

from .models import SelfBookableType, SelfBookingLocation, SelfBookingOffer
from .rules import self_bookable_problems


def offer_by_token(token: str) -> SelfBookingOffer | None:
    """The offer a link token opens; None for an unknown or expired token (the same answer for both)."""
    if not token or len(token) > 100:
        return None
    offer = (
        SelfBookingOffer.objects.select_related("consult__session_type__clinic", "location", "inquiry")
        .filter(token_hash=link_token_digest(token))
        .first()
    )
    if offer is None or offer.expires_at <= timezone.now():
        return None
    return offer


def location_setup(location_id: int | None) -> SelfBookingLocation | None:
    """The location's self-booking settings when it is on and offers a consultation that may be self-booked."""
    if location_id is None:
        return None
    setup = (
        SelfBookingLocation.objects.select_related("consult__session_type__clinic")
        .filter(location_id=location_id, enabled=True, consult__isnull=False)
        .first()
    )
    if setup is None or setup.consult is None or self_bookable_problems(setup.consult.session_type):
        return None
    return setup


@dataclass(frozen=True)
class OfferWindow:
    starts: datetime.datetime
    ends: datetime.datetime


def offer_window(consult: SelfBookableType, *, now: datetime.datetime | None = None) -> OfferWindow:
    now = now or timezone.now()
    return OfferWindow(
        starts=now + datetime.timedelta(hours=consult.earliest_hours),
        ends=now + datetime.timedelta(days=consult.latest_days),
    )


def free_slots(consult: SelfBookableType, *, now: datetime.datetime | None = None) -> list[Slot]:
    """Every free (start, provider) of the consultation inside its window, soonest first.

    Read from the calendar on every call, so a time freed by a cancellation or a no-show is offered again
    at once, and a time just taken is not.
    """
    session_type = consult.session_type
    if self_bookable_problems(session_type):
        return []
    window = offer_window(consult, now=now)
    tz = clinic_timezone(session_type.clinic)
    slots = availability_at_location(
        session_type=session_type,
        date_from=window.starts.astimezone(tz).date(),
        date_to=window.ends.astimezone(tz).date(),
        now=window.starts,
    )
    return [slot for slot in slots if window.starts <= slot.starts_at <= window.ends]


def offered_times(consult: SelfBookableType, *, now: datetime.datetime | None = None) -> list[datetime.datetime]:
    """The start times to offer (each once, whichever provider is free), soonest first, `slots_shown` at most,
    spread over days: no more than half of them (rounded up) on one local day, so there is a choice of days."""
    tz = clinic_timezone(consult.session_type.clinic)
    per_day = math.ceil(consult.slots_shown / 2)
    offered: list[datetime.datetime] = []
    taken_per_day: Counter[datetime.date] = Counter()
    for start in sorted({slot.starts_at for slot in free_slots(consult, now=now)}):
        day = start.astimezone(tz).date()
        if taken_per_day[day] < per_day:
            taken_per_day[day] += 1
            offered.append(start)
            if len(offered) == consult.slots_shown:
                break
    return offered
