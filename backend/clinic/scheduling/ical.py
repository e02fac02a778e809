"""A provider's sessions as an iCalendar (RFC 5545) feed for their own calendar app.

A feed leaves the clinic's systems (phones, calendar servers), so it carries the least that lets a
provider plan a day: when, where (the location, and the room), and the patient's initials. Never a
full name, a phone number, notes, or the session type's name (which would reveal the treatment).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from clinic.core.clinics import clinic_display_name

from .calendar import provider_feed_appointments
from .models import Appointment, Provider

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180
# RFC 5545 INTEGER is a signed 32-bit value.
_MAX_SEQUENCE = 2**31 - 1
CONFIRMED_STATUSES = (
    Appointment.Status.CONFIRMED,
    Appointment.Status.CHECKED_IN,
    Appointment.Status.COMPLETED,
)


@dataclass(frozen=True)
class Feed:
    content: bytes
    event_count: int


def patient_initials(first_name: str, last_name: str) -> str:
    """Return "J.D." for Jane Doe; "?" stands in for a name with no letter to take."""
    letters = [next((char.upper() for char in name if char.isalpha()), "?") for name in (first_name, last_name)]
    return ".".join(letters) + "."


def uid_host() -> str:
    return urlsplit(settings.PUBLIC_BASE_URL).hostname or "clinic.invalid"


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{uid_host()}"


def appointment_sequence(appointment: Appointment) -> int:
    """Return a revision number that grows with every change (rescheduling included).

    Seconds from creation to the last update: 0 for a new booking, larger after each later save.
    """
    elapsed = int((appointment.updated_at - appointment.created_at).total_seconds())
    return min(max(elapsed, 0), _MAX_SEQUENCE)


def appointment_event(appointment: Appointment) -> icalendar.Event:
    patient = appointment.patient
    event = icalendar.Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", appointment.updated_at.astimezone(datetime.UTC))
    event.add("created", appointment.created_at.astimezone(datetime.UTC))
    event.add("last-modified", appointment.updated_at.astimezone(datetime.UTC))
    event.add("sequence", appointment_sequence(appointment))
    event.add("dtstart", appointment.starts_at.astimezone(datetime.UTC))
    event.add("dtend", appointment.ends_at.astimezone(datetime.UTC))
    event.add("summary", f"Session \u2013 {patient_initials(patient.first_name, patient.last_name)}")
    # Where: the location (a provider may work at several), and the room when there is one.
    place = appointment.session_type.clinic.name
    event.add("location", f"{appointment.room.name}, {place}" if appointment.room is not None else place)
    event.add("status", "CONFIRMED" if appointment.status in CONFIRMED_STATUSES else "TENTATIVE")
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    return event


def provider_feed(
    *, provider: Provider, now: datetime.datetime | None = None, among: QuerySet[Appointment] | None = None
) -> Feed:
    """Build the feed of a provider's occupying sessions from 30 days ago to 180 days ahead (of `among`, the
    sessions the reader may see, if given)."""
    now = now or timezone.now()
    sessions = provider_feed_appointments(
        provider=provider, now=now, past_days=FEED_PAST_DAYS, future_days=FEED_FUTURE_DAYS
    )
    appointments = list(sessions if among is None else sessions.filter(pk__in=among.values("pk")))
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Clinic back office//Provider schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = f"{provider.display_name} \u2013 {clinic_display_name(provider.clinic)}"
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", datetime.timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", datetime.timedelta(minutes=15))
    for appointment in appointments:
        calendar.add_component(appointment_event(appointment))
    return Feed(content=calendar.to_ical(), event_count=len(appointments))
