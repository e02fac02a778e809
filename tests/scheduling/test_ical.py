"""A provider's iCalendar feed: what it holds, what it never holds, and who may fetch it.

The clinic is in America/New_York. Sessions are booked on 2026-10-26 08:00 local for the weeks
after; the feed is then read later, so some of them lie in the past.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import icalendar
import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.tokens import api_token_issue
from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.ical import patient_initials, uid_host
from clinic.scheduling.models import Appointment, Provider, Room, SessionType
from clinic.scheduling.services import (
    Booking,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_confirm,
    appointment_reschedule,
)
from tests.factories import PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory, UserFactory
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

BOOKED_AT = datetime.datetime(2026, 10, 26, 8, 0, tzinfo=NY)
SYSTEM = Actor(user=None)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=NY)


def uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{uid_host()}"


def feed_url(provider: Provider) -> str:
    return f"/api/v1/calendar/providers/{provider.pk}/feed.ics"


@pytest.fixture
def chair(clinic: Clinic) -> Room:
    return RoomFactory(clinic=clinic, name="Chair 3")


@pytest.fixture
def spray(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(
        clinic=clinic, name="Esketamine nasal spray", duration_minutes=30, monitoring_minutes=90, needs_driver=True
    )


@pytest.fixture
def patient() -> Patient:
    return PatientFactory(first_name="Marigold", last_name="Featherstonehaugh", phone="+16175550199")


def book(
    patient: Patient, provider: Provider, session_type: SessionType, starts_at: datetime.datetime, room: Room | None
) -> Appointment:
    return appointment_book(
        actor=SYSTEM,
        booking=Booking(patient=patient, provider=provider, session_type=session_type, starts_at=starts_at, room=room),
    )


def events_of(body: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def unfolded(body: bytes) -> str:
    """Return the feed with RFC 5545 line folding undone, so a folded word cannot hide from a search."""
    return body.decode().replace("\r\n ", "").replace("\r\n\t", "")


@pytest.fixture
def booked(
    patient: Patient, provider: Provider, chair: Room, spray: SessionType, clinic: Clinic
) -> Iterator[dict[str, Appointment]]:
    """Sessions from 2026-10-27 to far ahead, booked on 2026-10-26; the feed is read on 2026-12-01."""
    with time_machine.travel(BOOKED_AT, tick=False):
        other_provider = ProviderFactory(clinic=clinic, display_name="Dr. Ben Hale")
        sessions = {
            "long_ago": book(patient, provider, spray, at(2026, 10, 27, 9), chair),  # 35 days before: left out
            "recent": book(patient, provider, spray, at(2026, 11, 10, 9), chair),  # 21 days before: kept
            "confirmed": book(patient, provider, spray, at(2026, 12, 3, 10), chair),
            "cancelled": book(patient, provider, spray, at(2026, 12, 4, 10), chair),
            "no_room": book(
                PatientFactory(first_name="élodie", last_name="'t Hooft"),
                provider,
                SessionTypeFactory(clinic=clinic, name="Integration", needs_chair=False, monitoring_minutes=0),
                at(2026, 12, 7, 14),
                None,
            ),
            "too_far": book(patient, provider, spray, at(2027, 6, 1, 10), chair),  # 182 days after: left out
            "someone_elses": book(PatientFactory(), other_provider, spray, at(2026, 12, 3, 13), chair),
        }
        appointment_confirm(actor=SYSTEM, appointment=sessions["confirmed"])
        appointment_cancel(actor=SYSTEM, appointment=sessions["cancelled"], reason="patient asked")
    with time_machine.travel(at(2026, 11, 10, 8, 55), tick=False):
        appointment_check_in(actor=SYSTEM, appointment=sessions["recent"])
    with time_machine.travel(at(2026, 12, 1, 12), tick=False):
        yield sessions


def test_feed_has_one_event_per_occupying_session_in_the_window(
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
    provider: Provider,
    booked: dict[str, Appointment],
) -> None:
    response = api_as(front_desk).get(feed_url(provider))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    events = events_of(response.content)
    expected = {uid(booked[name]) for name in ("recent", "confirmed", "no_room")}
    assert set(events) == expected

    confirmed = events[uid(booked["confirmed"])]
    assert confirmed["DTSTART"].dt == datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
    assert confirmed["DTEND"].dt == datetime.datetime(2026, 12, 3, 17, 0, tzinfo=datetime.UTC)  # monitoring included
    assert str(confirmed["STATUS"]) == "CONFIRMED"
    assert str(confirmed["LOCATION"]) == "Chair 3, Harbor Mind Clinic"  # the room, at its location
    assert str(confirmed["SUMMARY"]) == "Session \u2013 M.F."
    assert str(events[uid(booked["recent"])]["STATUS"]) == "CONFIRMED"  # checked in

    no_room = events[uid(booked["no_room"])]
    assert str(no_room["STATUS"]) == "TENTATIVE"
    assert str(no_room["LOCATION"]) == "Harbor Mind Clinic"  # no room: the location alone
    assert str(no_room["SUMMARY"]) == "Session \u2013 \u00c9.T."

    text = response.content.decode()
    assert "DTSTART:20261203T150000Z" in text  # UTC on the wire, no TZID needed
    assert "BEGIN:VTIMEZONE" not in text


def test_feed_never_carries_names_phone_or_treatment(
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
    provider: Provider,
    patient: Patient,
    spray: SessionType,
    booked: dict[str, Appointment],
) -> None:
    body = unfolded(api_as(front_desk).get(feed_url(provider)).content)
    assert "VEVENT" in body
    for secret in (
        "Marigold",
        "Featherstonehaugh",
        "Marigold Featherstonehaugh",
        patient.phone,
        patient.phone.removeprefix("+1"),
        spray.name,
        "Esketamine",
        "spray",
        "Integration",
        "ketamine",
        "élodie",
        "Hooft",
    ):
        assert secret.lower() not in body.lower(), secret


def test_uid_is_stable_and_sequence_grows_when_a_session_is_rescheduled(
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
    provider: Provider,
    booked: dict[str, Appointment],
) -> None:
    api = api_as(front_desk)
    event_uid = uid(booked["confirmed"])
    before = events_of(api.get(feed_url(provider)).content)[event_uid]
    assert events_of(api.get(feed_url(provider)).content)[event_uid].to_ical() == before.to_ical()  # same twice

    with time_machine.travel(at(2026, 12, 1, 12, 30), tick=False):
        appointment_reschedule(actor=SYSTEM, appointment=booked["confirmed"], starts_at=at(2026, 12, 3, 15))
        after = events_of(api.get(feed_url(provider)).content)[event_uid]
    assert after["DTSTART"].dt == datetime.datetime(2026, 12, 3, 20, 0, tzinfo=datetime.UTC)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(after["STATUS"]) == "TENTATIVE"  # a moved session needs confirming again
    assert after["DTSTAMP"].dt > before["DTSTAMP"].dt


def test_a_cancelled_session_drops_out_of_the_feed(
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
    provider: Provider,
    booked: dict[str, Appointment],
) -> None:
    api = api_as(front_desk)
    event_uid = uid(booked["no_room"])
    assert event_uid in events_of(api.get(feed_url(provider)).content)
    appointment_cancel(actor=SYSTEM, appointment=booked["no_room"], reason="clinic closed")
    assert event_uid not in events_of(api.get(feed_url(provider)).content)


def test_feed_calendar_is_named_after_the_provider_and_fetching_it_is_audited(
    api_as: Callable[[AbstractBaseUser], APIClient],
    clinician: AbstractBaseUser,
    provider: Provider,
    booked: dict[str, Appointment],
) -> None:
    calendar = icalendar.Calendar.from_ical(api_as(clinician).get(feed_url(provider)).content)
    assert str(calendar["X-WR-CALNAME"]) == "Dr. Ada Stone \u2013 Harbor Clinic"
    assert str(calendar["VERSION"]) == "2.0"
    event = AuditEvent.objects.get(actor=clinician, action="list", target_type="scheduling.Appointment")
    assert event.detail == f"iCalendar feed of provider {provider.pk}: 3 appointments"


def test_feed_accepts_a_token_or_a_session_and_refuses_everyone_else(
    provider: Provider, front_desk: AbstractBaseUser, booked: dict[str, Appointment]
) -> None:
    url = feed_url(provider)
    anonymous = APIClient().get(url)
    assert anonymous.status_code == 401
    assert APIClient().get(url, HTTP_ACCEPT="text/calendar").status_code == 401
    assert APIClient().get(url, HTTP_AUTHORIZATION="Token not-a-real-token").status_code == 401

    _, key = api_token_issue(user=front_desk)
    with_token = APIClient().get(url, HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT="text/calendar")
    assert with_token.status_code == 200
    assert b"BEGIN:VCALENDAR" in with_token.content

    session = Client()
    session.force_login(front_desk)
    assert session.get(url).status_code == 200

    no_role = APIClient()
    no_role.force_authenticate(user=UserFactory(username="no-role"))
    assert no_role.get(url).status_code == 403
    assert no_role.get(url, HTTP_ACCEPT="text/calendar").status_code == 403


def test_unknown_provider_is_404(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, clinic: Clinic
) -> None:
    assert api_as(front_desk).get("/api/v1/calendar/providers/987654/feed.ics").status_code == 404


def test_an_empty_feed_is_still_a_valid_calendar(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, provider: Provider
) -> None:
    body = api_as(front_desk).get(feed_url(provider)).content
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["PRODID"])


@pytest.mark.parametrize(
    ("first", "last", "initials"),
    [
        ("Jane", "Doe", "J.D."),
        ("jane", "o'neil", "J.O."),
        ("", "Doe", "?.D."),
        ("42", "", "?.?."),
        ("Ívar", "Ørn", "Í.Ø."),
    ],
)
def test_patient_initials(first: str, last: str, initials: str) -> None:
    assert patient_initials(first, last) == initials
