"""A provider at two locations: bookable at each only on its days, within its hours, in its time zone.

See tests/scheduling/locations.py for the three locations and Dr. Ortega's week. "Now" is Monday
1 March 2027, 08:00 in Denver. Denver moves its clocks forward on Sunday 14 March (08:00 MST is 15:00
UTC before, 08:00 MDT is 14:00 UTC after); Phoenix does not (08:00 is 15:00 UTC all year).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.scheduling.availability import Slot, availability_for
from clinic.scheduling.models import Appointment, Provider, SessionType
from clinic.scheduling.series import series_propose
from clinic.scheduling.services import Booking, BookingConflict, appointment_book, appointment_reschedule
from tests.factories import PatientFactory, ProviderFactory, SeriesPlanFactory
from tests.scheduling.locations import DENVER, EIGHT, PHOENIX, Group, at, group_create, hours_add

pytestmark = pytest.mark.django_db
NOBODY = Actor(user=None)
NOW = at(DENVER, 2027, 3, 1, 8)


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def group() -> Group:
    return group_create()


@pytest.fixture
def desk(api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser) -> APIClient:
    return api_as(front_desk)


def book(provider: Provider, session_type: SessionType, starts_at: datetime.datetime) -> Appointment:
    return appointment_book(
        actor=NOBODY,
        booking=Booking(patient=PatientFactory(), provider=provider, session_type=session_type, starts_at=starts_at),
    )


def first_of_each_day(slots: list[Slot], tz: datetime.tzinfo) -> list[str]:
    firsts: dict[datetime.date, Slot] = {}
    for slot in slots:
        firsts.setdefault(slot.starts_at.astimezone(tz).date(), slot)
    return [slot.starts_at.astimezone(tz).isoformat() for slot in firsts.values()]


# --- Availability ---------------------------------------------------------------------------------


def test_each_location_offers_only_its_days_at_eight_local_across_denvers_clock_change(group: Group) -> None:
    window = {"date_from": datetime.date(2027, 3, 8), "date_to": datetime.date(2027, 3, 19)}
    denver = availability_for(session_type=group.consult["denver"], provider=group.ortega, **window)
    phoenix = availability_for(session_type=group.consult["phoenix"], provider=group.ortega, **window)

    assert first_of_each_day(denver, DENVER) == [
        "2027-03-08T08:00:00-07:00",
        "2027-03-09T08:00:00-07:00",
        "2027-03-10T08:00:00-07:00",
        "2027-03-15T08:00:00-06:00",  # after the change: 08:00 is an hour earlier in UTC
        "2027-03-16T08:00:00-06:00",
        "2027-03-17T08:00:00-06:00",
    ]
    assert first_of_each_day(phoenix, PHOENIX) == [
        "2027-03-11T08:00:00-07:00",
        "2027-03-12T08:00:00-07:00",
        "2027-03-18T08:00:00-07:00",
        "2027-03-19T08:00:00-07:00",
    ]
    # 08:00 to 16:00 (a 60-minute session ends by 17:00) at Denver, 08:00 to 15:00 at Phoenix, every 15 minutes.
    assert len(denver) == 6 * 33 and len(phoenix) == 4 * 29
    assert availability_for(session_type=group.consult["boston"], provider=group.ortega, **window) == []


def test_the_days_asked_for_are_the_locations_own(group: Group) -> None:
    # Wednesday at Denver, asked for in Denver's days: its 33 starts, 08:00 to 16:00 there.
    wednesday = datetime.date(2027, 3, 10)
    slots = availability_for(
        session_type=group.consult["denver"], provider=group.ortega, date_from=wednesday, date_to=wednesday
    )
    assert len(slots) == 33
    assert slots[-1].starts_at == at(DENVER, 2027, 3, 10, 16)


# --- Booking --------------------------------------------------------------------------------------


def test_a_booking_is_refused_outside_the_hours_at_that_location_and_accepted_inside(group: Group) -> None:
    thursday_nine_denver = at(DENVER, 2027, 3, 11, 9)
    with pytest.raises(ValidationError) as refused:
        book(group.ortega, group.consult["denver"], thursday_nine_denver)  # a Phoenix day
    assert refused.value.message_dict["starts_at"] == [
        "Dr. Lucia Ortega does not work then: the session and its monitoring must fit inside their working hours "
        "at Denver (America/Denver)."
    ]
    with pytest.raises(ValidationError, match="does not work then"):
        book(group.ortega, group.consult["phoenix"], at(PHOENIX, 2027, 3, 8, 9))  # Monday is a Denver day
    with pytest.raises(ValidationError, match="does not work then"):
        book(group.ortega, group.consult["phoenix"], at(PHOENIX, 2027, 3, 11, 15, 30))  # ends after 16:00 there

    at_phoenix = book(group.ortega, group.consult["phoenix"], at(PHOENIX, 2027, 3, 11, 9))
    at_denver = book(group.ortega, group.consult["denver"], at(DENVER, 2027, 3, 15, 8))  # the first MDT Monday
    assert at_phoenix.starts_at == datetime.datetime(2027, 3, 11, 16, tzinfo=datetime.UTC)
    assert at_denver.starts_at == datetime.datetime(2027, 3, 15, 14, tzinfo=datetime.UTC)


def test_a_booking_where_the_provider_has_no_hours_is_a_400_naming_the_provider(group: Group, desk: APIClient) -> None:
    response = desk.post(
        "/api/v1/appointments/",
        {
            "patient": PatientFactory().pk,
            "provider": group.ortega.pk,
            "session_type": group.consult["boston"].pk,
            "starts_at": "2027-03-08T10:00:00-05:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "provider": [
            "Dr. Lucia Ortega does not work at Harbor Mind Clinic: they have no working hours at this session "
            "type's location."
        ]
    }
    assert not Appointment.objects.exists()


def test_a_chair_session_where_the_provider_has_no_hours_names_the_provider_before_any_chair(group: Group) -> None:
    elsewhere = ProviderFactory(clinic=group.boston, display_name="Dr. Boston")
    with pytest.raises(ValidationError) as refused:
        book(elsewhere, group.denver_infusion, at(DENVER, 2027, 3, 8, 9))
    assert list(refused.value.message_dict) == ["provider"]


def test_blocks_at_two_locations_on_one_day_never_give_overlapping_bookings(group: Group) -> None:
    # Thursday 18 March: Denver 08:00-10:00 MDT (14:00-16:00 UTC) as well as Phoenix 08:00-16:00 MST (15:00-23:00 UTC).
    hours_add(group.ortega, group.denver, (3,), EIGHT, datetime.time(10))
    thursday = datetime.date(2027, 3, 18)
    book(group.ortega, group.consult["denver"], at(DENVER, 2027, 3, 18, 9))  # 15:00-16:00 UTC

    phoenix = availability_for(
        session_type=group.consult["phoenix"], provider=group.ortega, date_from=thursday, date_to=thursday
    )
    assert phoenix[0].starts_at == at(PHOENIX, 2027, 3, 18, 9)  # 08:00 to 08:45 there overlap Denver's session
    with pytest.raises(BookingConflict) as taken:
        book(group.ortega, group.consult["phoenix"], at(PHOENIX, 2027, 3, 18, 8))
    assert taken.value.message == (
        "Dr. Lucia Ortega is already booked from 2027-03-18 08:00 to 09:00 (America/Phoenix)."
    )


def test_a_session_moves_only_to_a_day_its_provider_works_at_its_location(group: Group) -> None:
    appointment = book(group.ortega, group.consult["denver"], at(DENVER, 2027, 3, 8, 9))
    with pytest.raises(ValidationError, match="does not work then"):
        appointment_reschedule(actor=NOBODY, appointment=appointment, starts_at=at(DENVER, 2027, 3, 11, 9))
    moved = appointment_reschedule(actor=NOBODY, appointment=appointment, starts_at=at(DENVER, 2027, 3, 16, 16))
    assert moved.starts_at == datetime.datetime(2027, 3, 16, 22, tzinfo=datetime.UTC)  # 16:00 MDT
    other = ProviderFactory(clinic=group.denver, display_name="Dr. Elsewhere", hours=[])
    hours_add(other, group.phoenix, (0, 1, 2), EIGHT, datetime.time(17))
    with pytest.raises(ValidationError) as refused:
        appointment_reschedule(
            actor=NOBODY, appointment=appointment, starts_at=at(DENVER, 2027, 3, 17, 9), provider=other
        )
    assert list(refused.value.message_dict) == ["provider"]


def test_a_series_at_denver_is_proposed_on_denver_days_at_denver_times(group: Group) -> None:
    plan = SeriesPlanFactory(session_type=group.consult["denver"], sessions=4, min_gap_hours=24, max_span_days=14)
    proposed = series_propose(
        plan=plan,
        patient=PatientFactory(),
        provider=group.ortega,
        first_day=datetime.date(2027, 3, 10),
        preferred_time=datetime.time(10),
    )
    assert [session.starts_at.astimezone(DENVER).isoformat() for session in proposed] == [
        "2027-03-10T10:00:00-07:00",
        "2027-03-15T10:00:00-06:00",
        "2027-03-16T10:00:00-06:00",
        "2027-03-17T10:00:00-06:00",
    ]


# --- The API --------------------------------------------------------------------------------------


def test_the_provider_list_takes_a_location_and_says_where_each_works(group: Group, desk: APIClient) -> None:
    visiting = ProviderFactory(clinic=group.boston, display_name="Dr. Visiting")  # Boston, Mon-Fri
    hours_add(visiting, group.phoenix, (5,), EIGHT, datetime.time(12))  # and Phoenix on Saturdays

    def names(**query: object) -> list[str]:
        response = desk.get("/api/v1/providers/", query)
        assert response.status_code == 200
        return [provider["display_name"] for provider in response.json()]

    assert names(clinic=group.phoenix.pk) == ["Dr. Lucia Ortega", "Dr. Visiting"]
    assert names(clinic=group.denver.pk) == ["Dr. Lucia Ortega"]
    assert names(clinic=group.boston.pk) == ["Dr. Visiting"]
    assert names() == ["Dr. Lucia Ortega", "Dr. Visiting"]
    everyone = {p["display_name"]: p for p in desk.get("/api/v1/providers/").json()}
    assert everyone["Dr. Lucia Ortega"]["clinic"] == group.denver.pk  # the home location
    assert everyone["Dr. Lucia Ortega"]["locations"] == sorted([group.denver.pk, group.phoenix.pk])
    rooms = desk.get("/api/v1/rooms/", {"clinic": group.denver.pk}).json()
    assert [room["name"] for room in rooms] == ["Denver chair"]
    types = desk.get("/api/v1/session-types/", {"clinic": group.phoenix.pk}).json()
    assert [session_type["slug"] for session_type in types] == ["consult-phoenix"]
    for bad in ("999999", "denver", "0"):
        refused = desk.get("/api/v1/providers/", {"clinic": bad})
        assert refused.status_code == 400 and list(refused.json()) == ["clinic"]


def test_availability_takes_a_location_and_offers_the_providers_working_there(group: Group, desk: APIClient) -> None:
    visiting = ProviderFactory(clinic=group.boston, display_name="Dr. Visiting", hours=[])
    hours_add(visiting, group.phoenix, (4,), EIGHT, datetime.time(9))  # Phoenix, Friday 08:00-09:00 only
    query = {"session_type": group.consult["phoenix"].pk, "from": "2027-03-11", "to": "2027-03-12"}

    response = desk.get("/api/v1/availability/", {**query, "clinic": group.phoenix.pk})
    assert response.status_code == 200
    body = response.json()
    assert (body["clinic"], body["time_zone"]) == (group.phoenix.pk, "America/Phoenix")
    assert {slot["provider"] for slot in body["slots"]} == {group.ortega.pk, visiting.pk}
    assert [slot["starts_at"] for slot in body["slots"] if slot["provider"] == visiting.pk] == [
        "2027-03-12T08:00:00-07:00"
    ]
    assert body["slots"][0] == {
        "starts_at": "2027-03-11T08:00:00-07:00",
        "ends_at": "2027-03-11T09:00:00-07:00",
        "provider": group.ortega.pk,
        "rooms": [],
    }
    assert desk.get("/api/v1/availability/", query).json() == body  # the session type's location anyway

    elsewhere = desk.get("/api/v1/availability/", {**query, "clinic": group.denver.pk})
    assert elsewhere.status_code == 400
    assert elsewhere.json() == {"clinic": ["This session type is offered at Phoenix, not at Denver."]}
    boston_only = ProviderFactory(clinic=group.boston, display_name="Dr. Boston")
    no_hours = desk.get("/api/v1/availability/", {**query, "provider": boston_only.pk})
    assert no_hours.status_code == 400
    assert no_hours.json() == {"provider": ["Dr. Boston has no working hours at Phoenix."]}
