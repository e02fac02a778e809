"""Who reads a monitoring record: clinicians and clinic admins of its location. Front desk is refused
(403) whatever is stored; another location's record answers exactly as a missing one (404); the tracker of
staff limited to one location does not change with what another location holds."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.models import StaffLocation
from clinic.accounts.roles import CLINICIAN, FRONT_DESK
from clinic.rems.models import MonitoringRecord
from tests.factories import UserFactory
from tests.rems.factories import RemsSite, record_values, rems_session, rems_site_build
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

STARTS = datetime.datetime(2026, 12, 1, 10, tzinfo=NY)
MISSING = 987654


@pytest.fixture
def north() -> RemsSite:
    return rems_site_build(name="North")


@pytest.fixture
def south() -> RemsSite:
    return rems_site_build(name="South")


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _limited(role: str, site: RemsSite, username: str) -> User:
    user: User = UserFactory(username=username, role=role)
    StaffLocation.objects.create(user=user, clinic=site.clinic)
    return user


def _calls(appointment_id: int, values: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    url = f"/api/v1/appointments/{appointment_id}/monitoring-record/"
    return [("get", url, {}), ("put", url, values), ("post", url + "submitted/", {"reference": "R-1"})]


def _answers(client: APIClient, appointment_id: int, values: dict[str, Any]) -> list[tuple[int, Any]]:
    found = []
    for method, url, body in _calls(appointment_id, values):
        response = getattr(client, method)(url, body, format="json")
        found.append((response.status_code, response.json()))
    return found


def test_front_desk_is_refused_alike_whatever_is_stored(north: RemsSite, clinician: User, front_desk: User) -> None:
    filled = rems_session(north, STARTS)
    empty = rems_session(north, STARTS + datetime.timedelta(days=1))
    values = record_values(STARTS, clinician)
    assert (
        _api(clinician).put(f"/api/v1/appointments/{filled.pk}/monitoring-record/", values, format="json").status_code
        == 200
    )
    desk = _api(front_desk)
    about_filled = _answers(desk, filled.pk, values)
    assert {status for status, _ in about_filled} == {403}
    assert about_filled == _answers(desk, empty.pk, values) == _answers(desk, MISSING, values)
    assert desk.get("/api/v1/rems/forms/").status_code == 403
    assert MonitoringRecord.objects.get(appointment=filled).submitted_at is None
    office = Client()
    office.force_login(front_desk)
    record = MonitoringRecord.objects.get(appointment=filled)
    for url in ("", f"{record.pk}/change/", f"{record.pk}/print/", f"{record.pk}/pdf/"):
        assert office.get(f"/admin/rems/monitoringrecord/{url}").status_code == 403, url


def test_another_locations_record_answers_as_a_missing_one(north: RemsSite, south: RemsSite, clinician: User) -> None:
    theirs = rems_session(south, STARTS)
    ours = rems_session(north, STARTS)
    values = record_values(STARTS, clinician)
    assert (
        _api(clinician).put(f"/api/v1/appointments/{theirs.pk}/monitoring-record/", values, format="json").status_code
        == 200
    )
    limited = _limited(CLINICIAN, north, "north-clinician")
    client = _api(limited)
    about_south = _answers(client, theirs.pk, values)
    assert {status for status, _ in about_south} == {404}
    assert about_south == _answers(client, MISSING, values)
    assert MonitoringRecord.objects.get(appointment=theirs).submitted_at is None
    assert client.get(f"/api/v1/appointments/{ours.pk}/monitoring-record/").status_code == 200
    office = Client()
    office.force_login(limited)
    record = MonitoringRecord.objects.get(appointment=theirs)
    for url in (f"{record.pk}/print/", f"{record.pk}/pdf/"):
        assert office.get(f"/admin/rems/monitoringrecord/{url}").status_code == 404, url


def test_the_tracker_of_a_limited_clinician_does_not_change_with_another_locations_forms(
    north: RemsSite, south: RemsSite, clinician: User
) -> None:
    rems_session(north, STARTS)
    filled = rems_session(north, STARTS - datetime.timedelta(days=2))
    url = f"/api/v1/appointments/{filled.pk}/monitoring-record/"
    assert _api(clinician).put(url, record_values(filled.starts_at, clinician), format="json").status_code == 200
    limited = _api(_limited(CLINICIAN, north, "north-clinician"))
    before = {state: limited.get("/api/v1/rems/forms/", {"state": state}).json() for state in ("", "open", "overdue")}
    for day in range(3):
        session = rems_session(south, STARTS - datetime.timedelta(days=day))
        url = f"/api/v1/appointments/{session.pk}/monitoring-record/"
        assert _api(clinician).put(url, record_values(session.starts_at, clinician), format="json").status_code == 200
    after = {state: limited.get("/api/v1/rems/forms/", {"state": state}).json() for state in ("", "open", "overdue")}
    assert before == after
    everyone = _api(clinician).get("/api/v1/rems/forms/").json()
    assert everyone["count"] == before[""]["count"] + 3


def test_a_limited_front_desk_still_ticks_enrollment_only_for_their_locations_patients(
    north: RemsSite, south: RemsSite
) -> None:
    desk = _api(_limited(FRONT_DESK, north, "north-desk"))
    assert desk.get(f"/api/v1/patients/{north.patient.pk}/rems-enrollment/").status_code == 200
    theirs = desk.post(f"/api/v1/patients/{south.patient.pk}/rems-enrollment/", {}, format="json")
    missing = desk.post(f"/api/v1/patients/{MISSING}/rems-enrollment/", {}, format="json")
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json()) == (404, missing.json())
