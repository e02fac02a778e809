"""The day schedule: its API (by provider and by room, in local time) and its admin page.

The clinic is in America/New_York. "Now" is Monday 2026-10-26 08:00 local; most sessions are on
Tuesday 2026-10-27. Sunday 2026-11-01 is the fall-back day (01:00-02:00 happens twice).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, SessionType
from clinic.scheduling.services import Booking, appointment_book, appointment_cancel, appointment_confirm
from tests.factories import (
    ClinicFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

URL = "/api/v1/calendar/day/"
ADMIN_URL = "/admin/scheduling/schedule/"
NOW = datetime.datetime(2026, 10, 26, 8, 0, tzinfo=NY)
TUESDAY = datetime.date(2026, 10, 27)
FALL_BACK_SUNDAY = datetime.date(2026, 11, 1)
SYSTEM = Actor(user=None)


def on(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=NY)


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ada(clinic: Clinic) -> Provider:
    every_day = [(day, datetime.time(0), datetime.time(23)) for day in range(7)]
    return ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone", hours=every_day)


@pytest.fixture
def ben(clinic: Clinic) -> Provider:
    return ProviderFactory(clinic=clinic, display_name="Dr. Ben Hale")


@pytest.fixture
def chair_a(clinic: Clinic) -> Room:
    return RoomFactory(clinic=clinic, name="Chair A")


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    """45 minutes in the chair, then 60 minutes of monitoring."""
    return SessionTypeFactory(clinic=clinic, name="IV infusion", color="#aa3366")


@pytest.fixture
def integration(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(
        clinic=clinic,
        name="Integration therapy",
        duration_minutes=50,
        monitoring_minutes=0,
        needs_chair=False,
        needs_driver=False,
        fasting_hours=0,
    )


def book(
    patient: Patient, provider: Provider, session_type: SessionType, starts_at: datetime.datetime, room: Room | None
) -> Appointment:
    return appointment_book(
        actor=SYSTEM,
        booking=Booking(patient=patient, provider=provider, session_type=session_type, starts_at=starts_at, room=room),
    )


@pytest.fixture
def tuesday(
    ada: Provider,
    ben: Provider,
    chair_a: Room,
    chair_b: Room,
    infusion: SessionType,
    integration: SessionType,
) -> dict[str, Appointment]:
    """Ada: infusion 09:00 in Chair A (confirmed), integration 13:00 with no room; Ben: infusion 10:00 in Chair B.

    A cancelled infusion at 11:00 in Chair A must not appear anywhere.
    """
    ruth = PatientFactory(first_name="Ruth", last_name="Okafor")
    sam = PatientFactory(first_name="Sam", last_name="Berg")
    lena = PatientFactory(first_name="Lena", last_name="Marsh")
    first = book(ruth, ada, infusion, on(TUESDAY, 9), chair_a)
    appointment_confirm(actor=SYSTEM, appointment=first)
    talk = book(ruth, ada, integration, on(TUESDAY, 13), None)
    other = book(sam, ben, infusion, on(TUESDAY, 10), chair_b)
    gone = book(lena, ben, infusion, on(TUESDAY, 14), chair_a)
    appointment_cancel(actor=SYSTEM, appointment=gone, reason="patient asked")
    return {"first": first, "talk": talk, "other": other, "gone": gone}


def columns(body: dict[str, Any], kind: str) -> dict[str, list[dict[str, Any]]]:
    return {column["name"]: column["appointments"] for column in body[kind]}


# --- API ------------------------------------------------------------------------------------


def test_day_groups_occupying_sessions_by_provider_and_by_room_in_local_time(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, tuesday: dict[str, Appointment]
) -> None:
    response = api_as(front_desk).get(URL, {"date": "2026-10-27"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date"] == "2026-10-27"
    assert body["timezone"] == "America/New_York"
    assert body["starts_at"] == "2026-10-27T00:00:00-04:00"
    assert body["ends_at"] == "2026-10-28T00:00:00-04:00"

    providers = columns(body, "providers")
    assert list(providers) == ["Dr. Ada Stone, MD", "Dr. Ben Hale, MD"]
    ada_day = providers["Dr. Ada Stone, MD"]
    assert [a["appointment_id"] for a in ada_day] == [tuesday["first"].pk, tuesday["talk"].pk]
    first = ada_day[0]
    assert first["starts_at"] == "2026-10-27T09:00:00-04:00"
    assert first["session_ends_at"] == "2026-10-27T09:45:00-04:00"  # the session proper
    assert first["ends_at"] == "2026-10-27T10:45:00-04:00"  # after 60 minutes of monitoring
    assert first["status"] == "confirmed"
    assert first["session_type"] == {"id": tuesday["first"].session_type_id, "name": "IV infusion", "color": "#aa3366"}
    assert first["room"]["name"] == "Chair A"
    assert first["patient"] == {"id": tuesday["first"].patient_id, "name": "Ruth Okafor"}
    talk = ada_day[1]
    assert talk["session_ends_at"] == talk["ends_at"] == "2026-10-27T13:50:00-04:00"
    assert talk["room"] is None
    assert talk["status"] == "scheduled"

    rooms = columns(body, "rooms")
    assert list(rooms) == ["Chair A", "Chair B", "No room"]
    assert [a["appointment_id"] for a in rooms["Chair A"]] == [tuesday["first"].pk]  # the cancelled one is gone
    assert [a["patient"]["name"] for a in rooms["Chair B"]] == ["Sam Berg"]
    assert [a["appointment_id"] for a in rooms["No room"]] == [tuesday["talk"].pk]
    assert "Lena" not in response.content.decode()


def test_day_is_audited_as_a_list_without_names(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: AbstractBaseUser, tuesday: dict[str, Appointment]
) -> None:
    assert api_as(clinician).get(URL, {"date": "2026-10-27"}).status_code == 200
    event = AuditEvent.objects.get(actor=clinician, action="list", target_type="scheduling.Appointment")
    assert event.detail == "day schedule 2026-10-27: 3 appointments"


def test_date_defaults_to_today_in_the_clinics_time_zone(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, tuesday: dict[str, Appointment]
) -> None:
    # 23:30 on Tuesday in New York is already Wednesday in UTC.
    with time_machine.travel(on(TUESDAY, 23, 30), tick=False):
        body = api_as(front_desk).get(URL).json()
    assert body["date"] == "2026-10-27"
    assert len(columns(body, "providers")["Dr. Ada Stone, MD"]) == 2


def test_a_free_day_still_lists_every_active_provider_and_room(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, tuesday: dict[str, Appointment]
) -> None:
    body = api_as(front_desk).get(URL, {"date": "2026-10-28"}).json()
    assert [c["name"] for c in body["providers"]] == ["Dr. Ada Stone, MD", "Dr. Ben Hale, MD"]
    assert [c["name"] for c in body["rooms"]] == ["Chair A", "Chair B"]
    assert all(c["appointments"] == [] for c in body["providers"] + body["rooms"])


def test_filters_by_provider_and_by_room(
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
    tuesday: dict[str, Appointment],
    ben: Provider,
    chair_a: Room,
) -> None:
    api = api_as(front_desk)
    body = api.get(URL, {"date": "2026-10-27", "provider": ben.pk}).json()
    assert [c["name"] for c in body["providers"]] == ["Dr. Ben Hale, MD"]
    assert [c["name"] for c in body["rooms"]] == ["Chair B"]
    assert [a["appointment_id"] for a in body["providers"][0]["appointments"]] == [tuesday["other"].pk]

    body = api.get(URL, {"date": "2026-10-27", "room": chair_a.pk}).json()
    assert [c["name"] for c in body["rooms"]] == ["Chair A"]
    assert [c["name"] for c in body["providers"]] == ["Dr. Ada Stone, MD"]
    assert [a["appointment_id"] for a in body["rooms"][0]["appointments"]] == [tuesday["first"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2026-13-01"}, "date"),
        ({"date": "27/10/2026"}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"date": "0001-01-01"}, "date"),
        ({"date": "2026-10-27\x00"}, "date"),
        ({"provider": "abc"}, "provider"),
        ({"provider": "999999"}, "provider"),
        ({"provider": "99999999999999999999999"}, "provider"),
        ({"room": "-1"}, "room"),
        ({"room": "424242"}, "room"),
    ],
)
def test_bad_parameters_get_400_naming_the_field(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, params: dict[str, str], field: str
) -> None:
    ClinicFactory()
    response = api_as(front_desk).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_anonymous_and_staff_without_a_role_are_refused(api: APIClient, db: None) -> None:
    assert api.get(URL).status_code == 401
    nobody = UserFactory(username="no-role")
    client = APIClient()
    client.force_authenticate(user=nobody)
    assert client.get(URL).status_code == 403


def test_every_staff_role_can_view_the_calendar(
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
    clinician: AbstractBaseUser,
    clinic_admin: AbstractBaseUser,
    clinic: Clinic,
) -> None:
    for user in (front_desk, clinician, clinic_admin):
        assert api_as(user).get(URL).status_code == 200


@pytest.fixture
def fall_back_day(ada: Provider, chair_a: Room, chair_b: Room, clinic: Clinic) -> dict[str, Appointment]:
    """Sessions around the fall-back hour of Sunday 2026-11-01 (EDT -04:00 becomes EST -05:00 at 02:00)."""
    short = SessionTypeFactory(clinic=clinic, name="Short infusion", duration_minutes=30, monitoring_minutes=30)
    patient, other = (
        PatientFactory(first_name="Ivy", last_name="Dunn"),
        PatientFactory(first_name="Ned", last_name="Ros"),
    )
    utc = datetime.UTC
    return {
        # 01:15 EDT; the session ends 01:45 EDT, monitoring ends 01:15 EST: an hour later, same wall time.
        "edt": book(patient, ada, short, datetime.datetime(2026, 11, 1, 5, 15, tzinfo=utc), chair_a),
        # 01:30 EST, the second 01:30 of the night.
        "est": book(other, ada, short, datetime.datetime(2026, 11, 1, 6, 30, tzinfo=utc), chair_b),
        "morning": book(patient, ada, short, on(FALL_BACK_SUNDAY, 9), chair_a),
    }


def test_fall_back_day_shows_each_session_at_its_real_local_time(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, fall_back_day: dict[str, Appointment]
) -> None:
    body = api_as(front_desk).get(URL, {"date": "2026-11-01"}).json()
    assert body["starts_at"] == "2026-11-01T00:00:00-04:00"
    assert body["ends_at"] == "2026-11-02T00:00:00-05:00"  # a 25-hour day
    day = columns(body, "providers")["Dr. Ada Stone, MD"]
    assert [(a["starts_at"], a["session_ends_at"], a["ends_at"]) for a in day] == [
        ("2026-11-01T01:15:00-04:00", "2026-11-01T01:45:00-04:00", "2026-11-01T01:15:00-05:00"),
        ("2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00", "2026-11-01T02:30:00-05:00"),
        ("2026-11-01T09:00:00-05:00", "2026-11-01T09:30:00-05:00", "2026-11-01T10:00:00-05:00"),
    ]
    # The days either side do not pick up the night's sessions.
    assert columns(api_as(front_desk).get(URL, {"date": "2026-10-31"}).json(), "providers")["Dr. Ada Stone, MD"] == []
    assert columns(api_as(front_desk).get(URL, {"date": "2026-11-02"}).json(), "providers")["Dr. Ada Stone, MD"] == []


def test_spring_forward_day_is_23_hours_long(
    api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, clinic: Clinic
) -> None:
    body = api_as(front_desk).get(URL, {"date": "2027-03-14"}).json()
    assert body["starts_at"] == "2027-03-14T00:00:00-05:00"
    assert body["ends_at"] == "2027-03-15T00:00:00-04:00"


def test_schema_documents_the_day_schedule(client: Client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/calendar/day/" in text
    assert "/api/v1/calendar/providers/{provider_id}/feed.ics" in text


# --- Admin page -----------------------------------------------------------------------------


def logged_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_page_shows_columns_and_blocks_with_monitoring_apart(
    front_desk: AbstractBaseUser, tuesday: dict[str, Appointment]
) -> None:
    response = logged_in(front_desk).get(ADMIN_URL, {"date": "2026-10-27"})
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Dr. Ada Stone, MD", "Dr. Ben Hale, MD", "Chair A", "Chair B", "No room"):
        assert text in page
    assert "Tuesday, 27 October 2026" in page
    assert "Ruth Okafor" in page and "Sam Berg" in page
    assert "IV infusion" in page and "Integration therapy" in page
    assert "Confirmed" in page and "Scheduled" in page
    assert "09:00\u201309:45" in page  # the session proper, in local time
    assert 'class="monitoring"' in page and "Monitoring until 10:45" in page
    assert "Lena" not in page  # cancelled
    assert "?date=2026-10-26" in page and "?date=2026-10-28" in page  # previous and next day
    assert 'type="date"' in page
    assert "<script" not in page.split('<div id="content-main">')[1]
    for external in ('src="http', "src='http", 'href="http', "url(http", "@import"):
        assert external not in page  # nothing loaded from elsewhere
    assert AuditEvent.objects.filter(actor=front_desk, action="list", target_type="scheduling.Appointment").exists()


def test_admin_page_defaults_to_today_and_rejects_a_bad_date(
    front_desk: AbstractBaseUser, tuesday: dict[str, Appointment]
) -> None:
    client = logged_in(front_desk)
    assert "Monday, 26 October 2026" in client.get(ADMIN_URL).content.decode()
    response = client.get(ADMIN_URL, {"date": "2026-02-30"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_admin_page_on_the_fall_back_day_labels_both_one_oclocks(
    front_desk: AbstractBaseUser, fall_back_day: dict[str, Appointment]
) -> None:
    page = logged_in(front_desk).get(ADMIN_URL, {"date": "2026-11-01"}).content.decode()
    assert "01:00 EDT" in page and "01:00 EST" in page
    assert "01:15\u201301:45" in page and "Monitoring until 01:15" in page
    assert "01:30\u201302:00" in page


def test_admin_page_is_for_staff_who_may_view_the_calendar(clinic: Clinic) -> None:
    anonymous = Client().get(ADMIN_URL)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert logged_in(UserFactory(username="no-role")).get(ADMIN_URL).status_code == 403
    outsider = UserFactory(username="not-staff", is_staff=False)
    assert logged_in(outsider).get(ADMIN_URL).status_code == 302


def test_admin_index_and_appointment_list_link_to_the_day_schedule(
    front_desk: AbstractBaseUser, clinic: Clinic
) -> None:
    client = logged_in(front_desk)
    assert f'href="{ADMIN_URL}"' in client.get("/admin/").content.decode()
    assert f'href="{ADMIN_URL}"' in client.get("/admin/scheduling/").content.decode()
    changelist = client.get("/admin/scheduling/appointment/")
    assert changelist.status_code == 200
    assert f'href="{ADMIN_URL}"' in changelist.content.decode()
    # No link for staff who cannot open it.
    assert ADMIN_URL not in logged_in(UserFactory(username="no-role")).get("/admin/").content.decode()


def test_admin_page_keeps_a_session_type_colour_out_of_css_unless_it_is_plain_hex(
    front_desk: AbstractBaseUser, ada: Provider, chair_a: Room, clinic: Clinic
) -> None:
    odd = SessionTypeFactory(clinic=clinic, name="Odd", color="red;}x")
    book(PatientFactory(), ada, odd, on(TUESDAY, 9), chair_a)
    page = logged_in(front_desk).get(ADMIN_URL, {"date": "2026-10-27"}).content.decode()
    assert "red;}x" not in page
    assert "border-left-color: #4a7bd0" in page


def test_admin_page_with_sessions_outside_the_usual_hours_stretches_the_timeline(
    front_desk: AbstractBaseUser, ada: Provider, chair_a: Room, infusion: SessionType
) -> None:
    book(PatientFactory(first_name="Early", last_name="Bird"), ada, infusion, on(TUESDAY, 5), chair_a)
    book(PatientFactory(first_name="Night", last_name="Owl"), ada, infusion, on(TUESDAY, 20), chair_a)
    page = logged_in(front_desk).get(ADMIN_URL, {"date": "2026-10-27"}).content.decode()
    assert "05:00" in page and "21:00" in page and "Early Bird" in page and "Night Owl" in page
