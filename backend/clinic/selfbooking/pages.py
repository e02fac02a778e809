"""What the choice of times shows: the times on offer grouped by day, in the location's zone, named."""

from __future__ import annotations

import datetime
from itertools import groupby
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import pgettext

from clinic.core.clinics import clinic_timezone
from clinic.scheduling.session_time import zone_label

from .models import SelfBookingOffer
from .selectors import offered_times


def slot_value(starts_at: datetime.datetime) -> str:
    """How a time travels in the form: its UTC instant, to the second."""
    return starts_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slot_parse(value: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return moment.replace(tzinfo=datetime.UTC)


def day_label(local: datetime.datetime) -> str:
    """The day as the active language writes it ("Tuesday, December 8", "martes, 8 de diciembre")."""
    return date_format(local, pgettext("sms date", "l, F j"))


def clock_label(local: datetime.datetime) -> str:
    return date_format(local, pgettext("sms date", "g:i A"))


def choice_context(offer: SelfBookingOffer, *, token: str, message: str = "") -> dict[str, Any]:
    session_type = offer.consult.session_type
    tz = clinic_timezone(offer.location)
    times = offered_times(offer.consult)
    local = [moment.astimezone(tz) for moment in times]
    days = [
        {
            "day": day_label(group[0]),
            "times": [{"clock": clock_label(moment), "value": slot_value(moment)} for moment in group],
        }
        for group in (list(moments) for _, moments in groupby(local, key=lambda moment: moment.date()))
    ]
    moment = times[0] if times else datetime.datetime.now(datetime.UTC)
    return {
        "days": days,
        "zone": f"{zone_label(moment, tz)} ({tz.key.rsplit('/', 1)[-1].replace('_', ' ')})",
        "location_name": offer.location.name,
        "minutes": session_type.duration_minutes,
        "by_video": session_type.mode == session_type.Mode.VIDEO,
        "action": reverse("selfbooking:choose", args=[token]),
        "message": message,
    }
