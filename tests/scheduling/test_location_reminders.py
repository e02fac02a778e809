"""Reminders for a session at another location than the patient's own time zone: a patient living in Phoenix
(America/Phoenix, no daylight saving time) booked at Denver (America/Denver).

In summer Denver is on MDT (UTC-6) and Phoenix on MST (UTC-7): both are "Mountain time", an hour apart, so
the text names Denver's exact zone and gives the patient's own time beside it. In winter both read MST and
the text gives Denver's time alone. Texting hours are the location's, in the patient's own zone (the
rule of messaging/texting_hours.py).
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from clinic.scheduling.models import Appointment, SessionType
from clinic.scheduling.services import Booking, appointment_book
from clinic.scheduling.session_time import session_time_values
from tests.factories import PatientFactory
from tests.scheduling.locations import DENVER, PHOENIX, Group, at, group_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def group() -> Group:
    return group_create()


def book_for(group: Group, session_type: SessionType, starts_at: datetime.datetime, *, home: str) -> Appointment:
    patient = PatientFactory(first_name="Ana", timezone=home, sms_consent_at=datetime.datetime.now(datetime.UTC))
    return appointment_book(
        actor=Actor(user=None),
        booking=Booking(patient=patient, provider=group.ortega, session_type=session_type, starts_at=starts_at),
    )


def reminders(appointment: Appointment) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(patient=appointment.patient, kind=OutboundMessage.Kind.REMINDER).order_by(
            "send_after"
        )
    )


def test_in_summer_the_text_names_denvers_time_and_the_patients_own_at_her_local_send_times(group: Group) -> None:
    with time_machine.travel(at(DENVER, 2027, 7, 9, 10), tick=False):  # Friday
        visit = book_for(group, group.consult["denver"], at(DENVER, 2027, 7, 12, 8), home="America/Phoenix")
    sent = reminders(visit)
    assert [message.send_after.astimezone(PHOENIX) for message in sent] == [
        at(PHOENIX, 2027, 7, 10, 8, 0),  # due 07:00 in Phoenix (48 h before): at her 08:00 opening
        at(PHOENIX, 2027, 7, 11, 20, 30),  # due 04:00 in Phoenix (3 h before): the evening before, her time
    ]
    assert sent[1].send_after.astimezone(DENVER).hour == 21  # 21:30 in Denver: her zone decides, not the location's
    assert sent[0].body.startswith(
        "Denver Clinic: Hi Ana, see you Monday, July 12 at 8:00 AM MDT (7:00 AM your time). "
        "Reply C to confirm. To change or cancel: http"
    )


def test_in_winter_both_clocks_agree_and_the_text_gives_denvers_time_alone(group: Group) -> None:
    with time_machine.travel(at(DENVER, 2027, 1, 8, 10), tick=False):
        visit = book_for(group, group.consult["denver"], at(DENVER, 2027, 1, 11, 8), home="America/Phoenix")
    assert session_time_values(visit) == {"date": "Monday, January 11", "time": "8:00 AM"}
    assert [message.send_after.astimezone(PHOENIX) for message in reminders(visit)] == [
        at(PHOENIX, 2027, 1, 9, 8, 0),
        at(PHOENIX, 2027, 1, 10, 20, 30),
    ]


def test_a_video_session_gives_the_patients_own_time_with_her_exact_zone(group: Group) -> None:
    video = group.consult["denver"]
    SessionType.objects.filter(pk=video.pk).update(mode=SessionType.Mode.VIDEO)
    video.refresh_from_db()
    with time_machine.travel(at(DENVER, 2027, 7, 9, 10), tick=False):
        visit = book_for(group, video, at(DENVER, 2027, 7, 12, 8), home="America/Phoenix")
    assert session_time_values(visit) == {"date": "Monday, July 12", "time": "7:00 AM MST"}


def test_zones_with_different_everyday_names_keep_them(group: Group) -> None:
    with time_machine.travel(at(DENVER, 2027, 7, 9, 10), tick=False):
        visit = book_for(group, group.consult["denver"], at(DENVER, 2027, 7, 12, 8), home="America/New_York")
    assert session_time_values(visit)["time"] == "8:00 AM MT (10:00 AM your time)"


def test_texting_hours_are_the_locations_read_in_the_patients_zone(group: Group) -> None:
    Clinic.objects.filter(pk=group.denver.pk).update(texting_starts=datetime.time(9), texting_ends=datetime.time(20))
    group.consult["denver"].clinic.refresh_from_db()
    with time_machine.travel(at(DENVER, 2027, 7, 9, 10), tick=False):
        visit = book_for(group, group.consult["denver"], at(DENVER, 2027, 7, 12, 14), home="America/Phoenix")
    # 48 h before is Saturday 13:00 in Phoenix (inside 09:00-20:00); 3 h before is Monday 10:00 in Phoenix.
    assert [message.send_after.astimezone(PHOENIX) for message in reminders(visit)] == [
        at(PHOENIX, 2027, 7, 10, 13, 0),
        at(PHOENIX, 2027, 7, 12, 10, 0),
    ]
    with time_machine.travel(at(DENVER, 2027, 7, 9, 10), tick=False):
        early = book_for(group, group.consult["denver"], at(DENVER, 2027, 7, 13, 9), home="America/Phoenix")
    # 48 h before is Sunday 08:00 in Phoenix, before the location's 09:00: it waits for 09:00 her time.
    assert reminders(early)[0].send_after == at(PHOENIX, 2027, 7, 11, 9, 0)
    assert zoneinfo.ZoneInfo(early.patient.timezone) == PHOENIX
