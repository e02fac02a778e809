"""The series API: list plans, propose a plan's dates, book them all or none, read a series back.

The clinic is in America/New_York. "Now" is Tuesday 2026-12-01 08:00 local. The plan is six IV
sessions at least 48 hours apart within 21 days; the provider works Monday to Friday 09:00-17:00.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser, User
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, Series, SeriesPlan, SessionType
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import (
    NINE,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SeriesPlanFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.clock import NY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=NY)
PLANS = "/api/v1/series-plans/"
PROPOSE = "/api/v1/series/propose/"
SERIES = "/api/v1/series/"
# Every other weekday from Monday 2026-12-07, skipping the weekend: 48 hours apart, within 21 days.
EXPECTED_DAYS = ["2026-12-07", "2026-12-09", "2026-12-11", "2026-12-14", "2026-12-16", "2026-12-18"]


@pytest.fixture
def infusion(clinic: Clinic, chair: Room) -> SessionType:
    return SessionTypeFactory(clinic=clinic)


@pytest.fixture
def plan(infusion: SessionType) -> SeriesPlan:
    return SeriesPlanFactory(session_type=infusion)


@pytest.fixture
def patient() -> Patient:
    return PatientFactory(first_name="Maya", last_name="Reyes")


@pytest.fixture
def desk(api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser) -> APIClient:
    return api_as(front_desk)


@pytest.fixture
def ask(plan: SeriesPlan, patient: Patient, provider: Provider) -> dict[str, Any]:
    return {"plan": plan.pk, "patient": patient.pk, "provider": provider.pk, "first_day": "2026-12-07"}


def sessions_at(hour: int, room: Room | None = None) -> list[dict[str, Any]]:
    return [
        {"starts_at": f"{day}T{hour:02d}:00:00-05:00", **({"room": room.pk} if room else {})} for day in EXPECTED_DAYS
    ]


# --- Plans ---------------------------------------------------------------------------------------


def test_plans_on_offer_are_listed(desk: APIClient, plan: SeriesPlan, infusion: SessionType) -> None:
    SeriesPlanFactory(session_type=infusion, name="Retired plan", is_active=False)

    response = desk.get(PLANS)

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": plan.pk,
            "name": "IV induction",
            "session_type": {"id": infusion.pk, "name": "IV infusion", "color": infusion.color},
            "sessions": 6,
            "min_gap_hours": 48,
            "max_span_days": 21,
        }
    ]


# --- Propose -------------------------------------------------------------------------------------


def test_propose_spaces_the_sessions_as_the_plan_says_and_writes_nothing(
    desk: APIClient, ask: dict[str, Any], chair: Room
) -> None:
    response = desk.post(PROPOSE, ask, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["time_zone"] == "America/New_York"
    assert [s["position"] for s in body["sessions"]] == [1, 2, 3, 4, 5, 6]
    assert [s["starts_at"] for s in body["sessions"]] == [f"{day}T09:00:00-05:00" for day in EXPECTED_DAYS]
    assert body["sessions"][0]["ends_at"] == "2026-12-07T10:45:00-05:00"
    assert {s["room"] for s in body["sessions"]} == {chair.pk}
    assert not Appointment.objects.exists()
    assert not Series.objects.exists()


def test_propose_aims_for_the_preferred_time(desk: APIClient, ask: dict[str, Any]) -> None:
    response = desk.post(PROPOSE, {**ask, "preferred_time": "13:00"}, format="json")

    assert [s["starts_at"][11:] for s in response.json()["sessions"]] == ["13:00:00-05:00"] * 6


def test_propose_says_when_the_plan_cannot_fit(desk: APIClient, ask: dict[str, Any], clinic: Clinic) -> None:
    mondays_only = ProviderFactory(clinic=clinic, hours=[(0, NINE, datetime.time(17))])

    response = desk.post(PROPOSE, {**ask, "provider": mondays_only.pk}, format="json")

    assert response.status_code == 400
    assert "first_day" in response.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"plan": "abc"}, "plan"),
        ({"plan": 10**20}, "plan"),
        ({"patient": 424242}, "patient"),
        ({"provider": None}, "provider"),
        ({"first_day": "next monday"}, "first_day"),
        ({"first_day": "2026-12-07T09:00:00-05:00"}, "first_day"),
        ({"first_day": "9999-12-31"}, "first_day"),
        ({"preferred_time": "25:00"}, "preferred_time"),
        ({"room": [1]}, "room"),
    ],
)
def test_propose_junk_is_400_per_field(
    desk: APIClient, ask: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    response = desk.post(PROPOSE, {**ask, **change}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()


def test_propose_refuses_a_provider_of_another_clinic_and_a_retired_plan(
    desk: APIClient, ask: dict[str, Any], plan: SeriesPlan
) -> None:
    elsewhere = ProviderFactory(display_name="Dr. Elsewhere")
    assert "provider" in desk.post(PROPOSE, {**ask, "provider": elsewhere.pk}, format="json").json()

    plan.is_active = False
    plan.save()
    assert "plan" in desk.post(PROPOSE, ask, format="json").json()


# --- Book ----------------------------------------------------------------------------------------


def test_a_proposal_sent_back_books_the_whole_series(
    desk: APIClient, ask: dict[str, Any], patient: Patient, front_desk: User
) -> None:
    proposal = desk.post(PROPOSE, ask, format="json").json()
    sessions = [{"starts_at": s["starts_at"], "room": s["room"]} for s in proposal["sessions"]]
    request = {key: ask[key] for key in ("plan", "patient", "provider")}

    response = desk.post(SERIES, {**request, "sessions": sessions}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    series = Series.objects.get()
    assert body["id"] == series.pk
    assert body["patient"] == {"id": patient.pk, "first_name": "Maya", "last_name": "Reyes"}
    assert [a["series_position"] for a in body["appointments"]] == [1, 2, 3, 4, 5, 6]
    assert [a["starts_at"] for a in body["appointments"]] == [s["starts_at"] for s in sessions]
    assert series.appointments.count() == 6
    assert series.created_by == front_desk


def test_one_taken_time_is_a_409_and_nothing_is_written(
    desk: APIClient, ask: dict[str, Any], provider: Provider, infusion: SessionType, clinic: Clinic
) -> None:
    RoomFactory(clinic=clinic, name="Chair B")  # a chair is free: the provider is what is taken
    taken = appointment_book(
        actor=Actor(user=None),
        booking=Booking(
            patient=PatientFactory(),
            provider=provider,
            session_type=infusion,
            starts_at=datetime.datetime(2026, 12, 11, 9, 30, tzinfo=NY),
        ),
    )
    request = {key: ask[key] for key in ("plan", "patient", "provider")}
    events_before = AuditEvent.objects.count()
    messages_before = OutboundMessage.objects.count()

    response = desk.post(SERIES, {**request, "sessions": sessions_at(9)}, format="json")

    assert response.status_code == 409
    assert response.json()["conflict"] == {
        "resource": "Dr. Ada Stone",
        "starts_at": "2026-12-11T09:30:00-05:00",
        "ends_at": "2026-12-11T11:15:00-05:00",
    }
    assert "2026-12-11 09:30" in response.json()["detail"]
    assert not Series.objects.exists()
    assert list(Appointment.objects.values_list("pk", flat=True)) == [taken.pk]
    assert AuditEvent.objects.count() == events_before
    assert OutboundMessage.objects.count() == messages_before


@pytest.mark.parametrize(
    ("sessions", "field"),
    [
        (None, "sessions"),
        ("2026-12-07T09:00:00-05:00", "sessions"),
        ([], "sessions"),
        ([1, 2], "sessions"),
        ([{"starts_at": "2026-12-07T09:00:00-05:00"}] * 101, "sessions"),
    ],
)
def test_malformed_sessions_are_400(desk: APIClient, ask: dict[str, Any], sessions: Any, field: str) -> None:
    request = {key: ask[key] for key in ("plan", "patient", "provider")}
    body = request if sessions is None else {**request, "sessions": sessions}

    response = desk.post(SERIES, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Series.objects.exists()


def test_a_naive_time_in_one_session_is_named_at_its_position(desk: APIClient, ask: dict[str, Any]) -> None:
    request = {key: ask[key] for key in ("plan", "patient", "provider")}
    sessions = sessions_at(9)
    sessions[2] = {"starts_at": "2026-12-11T09:00:00"}

    response = desk.post(SERIES, {**request, "sessions": sessions}, format="json")

    assert response.status_code == 400
    errors = response.json()["sessions"]
    assert errors[2]["starts_at"]
    assert errors[0] == {}


def test_the_plans_rules_are_400s_and_write_nothing(desk: APIClient, ask: dict[str, Any], plan: SeriesPlan) -> None:
    request = {key: ask[key] for key in ("plan", "patient", "provider")}

    too_few = desk.post(SERIES, {**request, "sessions": sessions_at(9)[:5]}, format="json")
    assert too_few.status_code == 400
    assert "sessions" in too_few.json()

    crowded = sessions_at(9)
    crowded[1] = {"starts_at": "2026-12-08T09:00:00-05:00"}  # 24 hours after the first
    assert "sessions" in desk.post(SERIES, {**request, "sessions": crowded}, format="json").json()

    plan.is_active = False
    plan.save()
    assert "plan" in desk.post(SERIES, {**request, "sessions": sessions_at(9)}, format="json").json()
    assert not Series.objects.exists()
    assert not Appointment.objects.exists()


def test_unknown_ids_are_400s(desk: APIClient, ask: dict[str, Any]) -> None:
    body = {"plan": 9999, "patient": "x", "provider": 2**40, "sessions": sessions_at(9)}

    response = desk.post(SERIES, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"plan", "patient", "provider"}


# --- Read ----------------------------------------------------------------------------------------


def test_a_series_is_read_back_with_its_sessions_and_the_read_is_audited(
    desk: APIClient, ask: dict[str, Any], front_desk: User
) -> None:
    request = {key: ask[key] for key in ("plan", "patient", "provider")}
    created = desk.post(SERIES, {**request, "sessions": sessions_at(10)}, format="json").json()

    response = desk.get(f"{SERIES}{created['id']}/")

    assert response.status_code == 200
    body = response.json()
    assert body["plan"]["name"] == "IV induction"
    assert [a["starts_at"] for a in body["appointments"]] == [f"{day}T10:00:00-05:00" for day in EXPECTED_DAYS]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, target_type="scheduling.Series", target_id=str(created["id"]), actor=front_desk
    ).exists()


@pytest.mark.parametrize("pk", ["424242", "99999999999999999999"])
def test_an_unknown_series_is_404(desk: APIClient, pk: str) -> None:
    assert desk.get(f"{SERIES}{pk}/").status_code == 404


def test_series_has_no_list_update_or_delete(desk: APIClient) -> None:
    # The role check answers before DRF could say 405: an action the view does not list is closed to everyone.
    assert desk.get(SERIES).status_code == 403
    assert desk.delete(f"{SERIES}1/").status_code == 403


# --- Who may do what -----------------------------------------------------------------------------


def test_anonymous_and_roleless_callers_are_refused(
    api: APIClient, api_as: Callable[[AbstractBaseUser], APIClient], ask: dict[str, Any]
) -> None:
    nobody = api_as(UserFactory(username="norole"))
    request = {key: ask[key] for key in ("plan", "patient", "provider")}
    for client, refused in ((api, 401), (nobody, 403)):
        assert client.get(PLANS).status_code == refused
        assert client.post(PROPOSE, ask, format="json").status_code == refused
        assert client.post(SERIES, {**request, "sessions": sessions_at(9)}, format="json").status_code == refused
    assert not Series.objects.exists()


@pytest.mark.parametrize("role", ["front_desk", "clinician", "clinic_admin"])
def test_every_staff_role_can_propose_and_book_a_series(
    request: pytest.FixtureRequest,
    api_as: Callable[[AbstractBaseUser], APIClient],
    ask: dict[str, Any],
    role: str,
) -> None:
    client = api_as(request.getfixturevalue(role))
    booking = {key: ask[key] for key in ("plan", "patient", "provider")}

    assert client.get(PLANS).status_code == 200
    assert client.post(PROPOSE, ask, format="json").status_code == 200
    created = client.post(SERIES, {**booking, "sessions": sessions_at(9)}, format="json")
    assert created.status_code == 201
    assert client.get(f"{SERIES}{created.json()['id']}/").status_code == 200
