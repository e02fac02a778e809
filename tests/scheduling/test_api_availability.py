"""The availability API: free start times in the clinic's zone, with their offsets.

The clinic is in America/New_York, where daylight saving time ends on Sunday 2026-11-01: 09:00 on
Friday 2026-10-30 is 09:00-04:00 (13:00 UTC) and 09:00 on Monday 2026-11-02 is 09:00-05:00 (14:00 UTC).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser, User
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.models import Provider, Room, SessionType
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import (
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 29, 8, tzinfo=NY)  # a Thursday, before the change
URL = "/api/v1/availability/"
SLOTS_PER_DAY = 26  # 09:00 to 15:15 every 15 minutes: the last start whose 105 minutes end by 17:00


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def infusion(clinic: Clinic, chair: Room) -> SessionType:
    return SessionTypeFactory(clinic=clinic)


@pytest.fixture
def desk(api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser) -> APIClient:
    return api_as(front_desk)


def query(session_type: SessionType, **extra: Any) -> dict[str, Any]:
    return {"session_type": session_type.pk, "from": "2026-10-30", "to": "2026-11-03", **extra}


def book(patient: Patient, provider: Provider, session_type: SessionType, starts_at: datetime.datetime) -> None:
    appointment_book(
        actor=Actor(user=None),
        booking=Booking(patient=patient, provider=provider, session_type=session_type, starts_at=starts_at),
    )


def test_free_times_keep_nine_oclock_local_across_the_dst_change(
    desk: APIClient, provider: Provider, infusion: SessionType, chair: Room
) -> None:
    response = desk.get(URL, query(infusion, provider=provider.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "America/New_York"
    assert (body["from"], body["to"]) == ("2026-10-30", "2026-11-03")
    slots = body["slots"]
    days = sorted({slot["starts_at"][:10] for slot in slots})
    assert days == ["2026-10-30", "2026-11-02", "2026-11-03"]  # the weekend is not worked
    assert len(slots) == 3 * SLOTS_PER_DAY

    friday = [slot for slot in slots if slot["starts_at"].startswith("2026-10-30")]
    monday = [slot for slot in slots if slot["starts_at"].startswith("2026-11-02")]
    assert friday[0] == {
        "starts_at": "2026-10-30T09:00:00-04:00",
        "ends_at": "2026-10-30T10:45:00-04:00",
        "provider": provider.pk,
        "rooms": [chair.pk],
    }
    assert friday[-1]["starts_at"] == "2026-10-30T15:15:00-04:00"
    assert monday[0]["starts_at"] == "2026-11-02T09:00:00-05:00"
    assert monday[-1]["ends_at"] == "2026-11-02T17:00:00-05:00"
    # Same local time, an hour apart in UTC.
    as_utc = [datetime.datetime.fromisoformat(s["starts_at"]).astimezone(datetime.UTC) for s in (friday[0], monday[0])]
    assert [moment.hour for moment in as_utc] == [13, 14]


def test_without_a_provider_every_active_provider_of_the_clinic_is_offered(
    desk: APIClient, clinic: Clinic, provider: Provider, infusion: SessionType
) -> None:
    other = ProviderFactory(clinic=clinic, display_name="Dr. Ben Hale")
    ProviderFactory(clinic=clinic, display_name="Dr. Gone", is_active=False)
    ProviderFactory(display_name="Dr. Elsewhere")  # another clinic

    slots = desk.get(URL, query(infusion, to="2026-10-30")).json()["slots"]

    assert {slot["provider"] for slot in slots} == {provider.pk, other.pk}
    assert len(slots) == 2 * SLOTS_PER_DAY
    assert slots[0]["starts_at"] == slots[1]["starts_at"] == "2026-10-30T09:00:00-04:00"


def test_a_busy_chair_and_the_patients_own_bookings_are_left_out(
    desk: APIClient, clinic: Clinic, provider: Provider, infusion: SessionType, chair: Room
) -> None:
    chair_b = RoomFactory(clinic=clinic, name="Chair B")
    patient = PatientFactory()
    # The patient holds Chair A with another provider on Monday 09:00-10:45.
    book(patient, ProviderFactory(clinic=clinic), infusion, datetime.datetime(2026, 11, 2, 9, tzinfo=NY))

    anyone = desk.get(URL, query(infusion, provider=provider.pk, **{"from": "2026-11-02", "to": "2026-11-02"}))
    nine = anyone.json()["slots"][0]
    assert nine["starts_at"] == "2026-11-02T09:00:00-05:00"
    assert nine["rooms"] == [chair_b.pk]  # Chair A is taken

    for_patient = desk.get(
        URL, query(infusion, provider=provider.pk, patient=patient.pk, **{"from": "2026-11-02", "to": "2026-11-02"})
    )
    first = for_patient.json()["slots"][0]
    assert first["starts_at"] == "2026-11-02T10:45:00-05:00"  # the patient is busy until then


def test_a_window_of_exactly_the_limit_is_allowed(desk: APIClient, infusion: SessionType, settings: Any) -> None:
    settings.SCHEDULING_MAX_AVAILABILITY_DAYS = 7
    response = desk.get(URL, query(infusion, **{"from": "2026-11-02", "to": "2026-11-08"}))
    assert response.status_code == 200

    too_long = desk.get(URL, query(infusion, **{"from": "2026-11-02", "to": "2026-11-09"}))
    assert too_long.status_code == 400
    assert "7 days" in too_long.json()["to"][0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"session_type": None}, "session_type"),
        ({"from": None}, "from"),
        ({"to": None}, "to"),
        ({"session_type": "abc"}, "session_type"),
        ({"session_type": "99999999999999999999"}, "session_type"),
        ({"session_type": "424242"}, "session_type"),
        ({"provider": "1.5"}, "provider"),
        ({"patient": "0"}, "patient"),
        ({"from": "2026-02-30"}, "from"),
        ({"from": "30/10/2026"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "2026-11-03", "to": "2026-10-30"}, "to"),
        ({"from": "2026-01-01", "to": "2026-12-31"}, "to"),
    ],
)
def test_bad_parameters_are_400s_naming_them(
    desk: APIClient, infusion: SessionType, change: dict[str, Any], field: str
) -> None:
    params = {key: value for key, value in {**query(infusion), **change}.items() if value is not None}

    response = desk.get(URL, params)

    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_provider_of_another_clinic_or_not_booking_is_a_400(
    desk: APIClient, provider: Provider, infusion: SessionType
) -> None:
    elsewhere = ProviderFactory(display_name="Dr. Elsewhere")
    assert "provider" in desk.get(URL, query(infusion, provider=elsewhere.pk)).json()

    provider.is_active = False
    provider.save()
    assert "provider" in desk.get(URL, query(infusion, provider=provider.pk)).json()


def test_a_retired_session_type_is_a_400(desk: APIClient, infusion: SessionType) -> None:
    infusion.is_active = False
    infusion.save()

    response = desk.get(URL, query(infusion))

    assert response.status_code == 400
    assert "session_type" in response.json()


def test_anonymous_and_roleless_callers_are_refused(
    api: APIClient, api_as: Callable[[AbstractBaseUser], APIClient], infusion: SessionType
) -> None:
    assert api.get(URL, query(infusion)).status_code == 401
    assert api_as(UserFactory(username="norole")).get(URL, query(infusion)).status_code == 403


@pytest.mark.parametrize("role", ["front_desk", "clinician", "clinic_admin"])
def test_every_staff_role_can_see_availability(
    request: pytest.FixtureRequest,
    api_as: Callable[[AbstractBaseUser], APIClient],
    provider: Provider,
    infusion: SessionType,
    role: str,
) -> None:
    user: User = request.getfixturevalue(role)
    assert api_as(user).get(URL, query(infusion)).status_code == 200
