"""The role matrix's location dimension: every API operation, called by staff limited to one location.

Two locations built alike (tests/security/location_world.py); front desk and a clinician limited to North;
a clinic admin and staff of both roles with no location, who see both. For staff limited to North:

- an operation naming another location's record (in its path, or by id in its body or query) is answered
  exactly as one naming a record that does not exist, and changes nothing;
- about a North record they are answered as staff without limits are about the South one;
- no answer changes when what South holds changes (more patients, one with a North patient's name and
  number, sessions, texts, alerts, tasks, shifts), counts and searches included.

Staff without limits get a different answer for South's records (so each probe can fail). The admin's
side is tests/security/test_location_admin.py; the clinician and on-call rules tests/security/test_location_rules.py.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from rest_framework.test import APIClient

from tests.security.location_world import (
    ADMIN,
    CLINICIAN_ALL,
    DESK_ALL,
    DESK_NORTH,
    LIMITED,
    MISSING_ID,
    UNLIMITED_PEER,
    LocationWorld,
    Site,
    location_world_build,
    next_weekday_at,
    south_grow,
)
from tests.security.routes import Operation, api_operations

OPERATIONS = api_operations()
REFUSED_BY_ROLE = (401, 403)


@pytest.fixture
def world(db: None) -> LocationWorld:
    return location_world_build()


def _body(response: HttpResponse) -> Any:
    content = response.content.decode(errors="replace")
    if "json" in response.get("Content-Type", ""):
        return json.loads(content) if content else None
    return content


def call(world: LocationWorld, caller: str, method: str, path: str, data: Any = None) -> tuple[int, Any]:
    """One call as `caller`, undone afterwards: each call meets the world as it was built."""
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[caller]}")
    savepoint = transaction.savepoint()
    response = getattr(client, method.lower())(path, {} if data is None else data, format="json")
    answer = (response.status_code, _body(response))
    transaction.savepoint_rollback(savepoint)
    return answer


# Paths naming something every location shares: a questionnaire's definition (measures' FHIR API).
NOT_RECORDS = {"/api/v1/measures/fhir/Questionnaire/{code}"}


def _has_record_in_path(operation: Operation) -> bool:
    return "{" in operation.route.replace("{format}", "") and operation.route not in NOT_RECORDS


PATH_OPERATIONS = [operation for operation in OPERATIONS if _has_record_in_path(operation)]


@pytest.mark.parametrize("operation", PATH_OPERATIONS, ids=str)
def test_another_locations_record_in_the_path_is_answered_as_a_missing_one(
    world: LocationWorld, operation: Operation
) -> None:
    def at(site: Site | None) -> str:
        return operation.path(world.path_values(operation.route, site))

    wrong: list[str] = []
    for caller in LIMITED:
        peer = UNLIMITED_PEER[caller]
        south, missing = (
            call(world, caller, operation.method, at(world.south)),
            call(world, caller, operation.method, at(None)),
        )
        north, peer_south = (
            call(world, caller, operation.method, at(world.north)),
            call(world, peer, operation.method, at(world.south)),
        )
        if south != missing:
            wrong.append(f"{caller}: South's record answered {south[0]}, a missing one {missing[0]}")
        if north[0] != peer_south[0]:
            wrong.append(f"{caller}: North's record answered {north[0]}, to {peer} South's {peer_south[0]}")
        if north[0] not in REFUSED_BY_ROLE and peer_south == missing:
            wrong.append(f"{peer}: South's record answered as a missing one")
    assert wrong == []


# Operations that name records by id in their body or query string. Each builds its call from the ids to
# use (one field's from South, or naming nothing; the others North's).
Build = Callable[[LocationWorld, dict[str, int]], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Reference:
    name: str
    method: str
    route: str
    build: Build
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


def _ids(site: Site) -> dict[str, int]:
    return {
        "patient": site.patient.pk,
        "provider": site.provider.pk,
        "room": site.room.pk,
        "session_type": site.session_type.pk,
        "plan": site.plan.pk,
        "clinic": site.clinic.pk,
    }


def _later(world: LocationWorld) -> datetime.datetime:
    return next_weekday_at(11, zoneinfo.ZoneInfo(world.north.clinic.timezone), days_ahead=10)


def _book(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    body = {name: ids[name] for name in ("patient", "provider", "session_type", "room")}
    return "/api/v1/appointments/", {**body, "starts_at": _later(world).isoformat()}


def _availability(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    day = _later(world).date().isoformat()
    query = {"session_type": ids["session_type"], "provider": ids["provider"], "patient": ids["patient"]}
    return "/api/v1/availability/", {**query, "from": day, "to": day}


def _propose(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    body = {name: ids[name] for name in ("plan", "patient", "provider", "room")}
    return "/api/v1/series/propose/", {**body, "first_day": _later(world).date().isoformat()}


def _series(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    body = {name: ids[name] for name in ("plan", "patient", "provider")}
    return "/api/v1/series/", {**body, "sessions": [{"starts_at": _later(world).isoformat(), "room": ids["room"]}]}


def _reschedule(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    path = f"/api/v1/appointments/{world.north.appointment.pk}/reschedule/"
    return path, {"starts_at": _later(world).isoformat(), "provider": ids["provider"], "room": ids["room"]}


def _query(path: str, field: str) -> Build:
    return lambda world, ids: (path, {field: ids[field]})


def _calendar(field: str) -> Build:
    return lambda world, ids: ("/api/v1/calendar/day/", {"date": world.day.isoformat(), field: ids[field]})


def _new_patient(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    return "/api/v1/patients/", {
        "first_name": "Ada",
        "last_name": "New",
        "phone": "+16175550190",
        "clinic": ids["clinic"],
    }


def _patient_home(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    return f"/api/v1/patients/{world.north.patient.pk}/", {"clinic": ids["clinic"]}


def _inquiry_location(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    return f"/api/v1/staff/inquiries/{world.unplaced_inquiry.reference}/", {"clinic": ids["clinic"]}


def _waitlist_join(world: LocationWorld, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    body = {"patient": ids["patient"], "session_type": ids["session_type"], "providers": [ids["provider"]]}
    return "/api/v1/waitlist/entries/", body


SESSION = ("patient", "provider", "session_type", "room")
REFERENCES = [
    Reference("book a session", "POST", "/api/v1/appointments/", _book, SESSION),
    Reference(
        "sessions by provider",
        "GET",
        "/api/v1/appointments/",
        _query("/api/v1/appointments/", "provider"),
        ("provider",),
    ),
    Reference("sessions by room", "GET", "/api/v1/appointments/", _query("/api/v1/appointments/", "room"), ("room",)),
    Reference(
        "sessions by patient", "GET", "/api/v1/appointments/", _query("/api/v1/appointments/", "patient"), ("patient",)
    ),
    Reference("free times", "GET", "/api/v1/availability/", _availability, ("session_type", "provider", "patient")),
    Reference("propose a series", "POST", "/api/v1/series/propose/", _propose, ("plan", "patient", "provider", "room")),
    Reference("book a series", "POST", "/api/v1/series/", _series, ("plan", "patient", "provider", "room")),
    Reference("reschedule", "POST", "/api/v1/appointments/{pk}/reschedule/", _reschedule, ("provider", "room")),
    Reference("day by provider", "GET", "/api/v1/calendar/day/", _calendar("provider"), ("provider",)),
    Reference("day by room", "GET", "/api/v1/calendar/day/", _calendar("room"), ("room",)),
    Reference("alerts of a patient", "GET", "/api/v1/alerts/", _query("/api/v1/alerts/", "patient"), ("patient",)),
    Reference("add to the waitlist", "POST", "/api/v1/waitlist/entries/", _waitlist_join, SESSION[:3]),
    Reference("tasks of a patient", "GET", "/api/v1/tasks/", _query("/api/v1/tasks/", "patient"), ("patient",)),
    Reference("create a patient at a location", "POST", "/api/v1/patients/", _new_patient, ("clinic",)),
    Reference("move a patient's home", "PATCH", "/api/v1/patients/{patient_id}/", _patient_home, ("clinic",)),
    Reference("place an inquiry", "PATCH", "/api/v1/staff/inquiries/{reference}/", _inquiry_location, ("clinic",)),
]
# What no test here reaches names no located record: public, signing in, the caller's own token, the docs.
NOT_LOCATED = {
    ("POST", "/api/v1/inquiries/"),
    ("POST", "/api/v1/auth/token/"),
    ("POST", "/api/v1/auth/token/revoke/"),
}


def _named_as(answer: Any, sent: int, instead: int) -> Any:
    """The answer with the id the caller sent (quoted in a refusal: 'Invalid pk "58"') read as another."""
    if isinstance(answer, str):
        return answer.replace(f'"{sent}"', f'"{instead}"')
    if isinstance(answer, list | tuple):
        return type(answer)(_named_as(item, sent, instead) for item in answer)
    if isinstance(answer, dict):
        return {key: _named_as(value, sent, instead) for key, value in answer.items()}
    return answer


def test_every_operation_is_probed_for_locations() -> None:
    """A new operation needs a decision: a record in its path, a GET asked as is, or a row in REFERENCES."""
    probed = {(operation.method, operation.route) for operation in PATH_OPERATIONS}
    probed |= {(operation.method, operation.route) for operation in OPERATIONS if operation.method == "GET"}
    probed |= {(reference.method, reference.route) for reference in REFERENCES}
    served = {(operation.method, operation.route) for operation in OPERATIONS}
    assert served - probed - NOT_LOCATED == set()
    assert (probed | NOT_LOCATED) - served == set(), "REFERENCES names operations no longer served"


@pytest.mark.parametrize("reference", REFERENCES, ids=str)
def test_another_locations_record_named_by_id_is_answered_as_a_missing_one(
    world: LocationWorld, reference: Reference
) -> None:
    north = _ids(world.north)
    wrong: list[str] = []
    for field in reference.fields:
        south_ids, missing_ids = {**north, field: _ids(world.south)[field]}, {**north, field: MISSING_ID}
        for caller in LIMITED:
            south = call(world, caller, reference.method, *reference.build(world, south_ids))
            south = _named_as(south, south_ids[field], MISSING_ID)  # the refusal repeats the id sent
            missing = call(world, caller, reference.method, *reference.build(world, missing_ids))
            if south != missing:
                wrong.append(f"{field} of South, to {caller}: {south} (missing: {missing})")
            peer = UNLIMITED_PEER[caller]
            if (
                south[0] not in REFUSED_BY_ROLE
                and call(world, peer, reference.method, *reference.build(world, south_ids)) == missing
            ):
                wrong.append(f"{field} of South, to {peer}: answered as a missing one")
    assert wrong == []


def _questions(world: LocationWorld) -> list[tuple[str, str, dict[str, Any]]]:
    """Every GET operation, about North's records where it names one, and the lists with their filters."""
    north = world.north
    questions = [
        ("GET", operation.path(world.path_values(operation.route, north)), {})
        for operation in OPERATIONS
        if operation.method == "GET" and operation.route not in ("/api/schema/", "/api/docs/")
    ]
    names = [north.patient.last_name, north.patient.first_name, "South", "Renamed", north.patient.phone[-7:]]
    questions += [("GET", "/api/v1/patients/", {"q": name}) for name in names]
    questions += [("GET", "/api/v1/staff/inquiries/", {"search": name}) for name in [*names, north.inquiry.reference]]
    questions += [
        ("GET", "/api/v1/staff/inquiries/", {"status": "new"}),
        ("GET", "/api/v1/messaging/inbox/", {"include_handled": "true"}),
        ("GET", "/api/v1/alerts/", {"state": "open"}),
        ("GET", "/api/v1/tasks/", {"state": "open"}),
        ("GET", "/api/v1/calendar/day/", {"date": world.day.isoformat()}),
        ("GET", "/api/v1/calendar/day/", {"date": (world.day + datetime.timedelta(days=1)).isoformat()}),
        ("GET", "/api/v1/appointments/", {"from": world.day.isoformat(), "to": world.day.isoformat()}),
        ("GET", "/api/v1/appointments/", {"patient": north.patient.pk}),
    ]
    day = world.day.isoformat()
    questions.append(("GET", "/api/v1/availability/", {"session_type": north.session_type.pk, "from": day, "to": day}))
    return questions


def _ask(world: LocationWorld, caller: str) -> dict[str, tuple[int, Any]]:
    return {f"{path} {query}": call(world, caller, method, path, query) for method, path, query in _questions(world)}


def test_no_answer_changes_with_what_another_location_holds(world: LocationWorld) -> None:
    before = {caller: _ask(world, caller) for caller in (*LIMITED, DESK_ALL)}
    south_grow(world)
    after = {caller: _ask(world, caller) for caller in (*LIMITED, DESK_ALL)}
    for caller in LIMITED:
        assert len(before[caller]) > 40
        differ = sorted(key for key in before[caller] if before[caller][key] != after[caller][key])
        assert differ == [], f"{caller} can tell what South holds through: {differ}"
    # Staff who see every location do see South change: the questions reach what South holds.
    assert before[DESK_ALL] != after[DESK_ALL]


def test_a_search_for_another_locations_patient_is_answered_as_one_for_nobody(world: LocationWorld) -> None:
    south = world.south
    for caller in (*LIMITED, DESK_ALL, CLINICIAN_ALL):
        for path, key, term in (
            ("/api/v1/patients/", "q", south.patient.last_name),
            ("/api/v1/staff/inquiries/", "search", south.inquiry.last_name),
            ("/api/v1/staff/inquiries/", "search", south.inquiry.reference),
        ):
            found = call(world, caller, "GET", path, {key: term})
            nobody = call(world, caller, "GET", path, {key: "Zyxwvut"})
            assert (found == nobody) is (caller in LIMITED), (caller, path, term)


def _ids_listed(world: LocationWorld, caller: str, path: str, key: str = "id") -> set[Any]:
    status, body = call(world, caller, "GET", path)
    assert status == 200, (caller, path, status)
    rows = body["results"] if isinstance(body, dict) else body
    return {row[key] for row in rows}


def test_limited_staff_see_their_locations_records_and_unplaced_inquiries(world: LocationWorld) -> None:
    north, south = world.north, world.south
    for caller in (*LIMITED, ADMIN, DESK_ALL, CLINICIAN_ALL):
        both = caller not in LIMITED

        def only(site_rows: tuple[Any, Any]) -> set[Any]:
            return set(site_rows) if both else {site_rows[0]}  # noqa: B023

        assert _ids_listed(world, caller, "/api/v1/patients/") == only((north.patient.pk, south.patient.pk))
        assert _ids_listed(world, caller, "/api/v1/appointments/") == only((north.appointment.pk, south.appointment.pk))
        assert _ids_listed(world, caller, "/api/v1/staff/inquiries/", key="reference") == only(
            (north.inquiry.reference, south.inquiry.reference)
        ) | {world.unplaced_inquiry.reference}
        assert _ids_listed(world, caller, "/api/v1/messaging/inbox/") == only((north.inbound.pk, south.inbound.pk))
        assert _ids_listed(world, caller, "/api/v1/tasks/") == only((north.task.pk, south.task.pk))
        assert _ids_listed(world, caller, "/api/v1/providers/") == only((north.provider.pk, south.provider.pk))
        assert _ids_listed(world, caller, "/api/v1/rooms/") == only((north.room.pk, south.room.pk))
        assert _ids_listed(world, caller, "/api/v1/session-types/") == only(
            (north.session_type.pk, south.session_type.pk)
        )
        assert _ids_listed(world, caller, "/api/v1/series-plans/") == only((north.plan.pk, south.plan.pk))
        if caller != DESK_NORTH and caller != DESK_ALL:
            assert _ids_listed(world, caller, "/api/v1/alerts/") == only((north.alert.pk, south.alert.pk))
        me = call(world, caller, "GET", "/api/v1/auth/me/")[1]
        assert me["locations"] == (None if both else [north.clinic.pk])
