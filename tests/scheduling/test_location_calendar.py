"""Times shown to staff are each session's location's: the appointment list, the day schedule (API and admin)
and the admin's lists and forms, for a group of three locations in three time zones.

See tests/scheduling/locations.py. "Now" is Monday 8 March 2027, 06:00 in Denver (MST, UTC-7), 08:00
in Boston (EST). A late Denver provider works Mondays until 23:30 there, which is already Tuesday in
Boston.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser, User
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent, StaffLocation
from clinic.scheduling.models import Appointment, Provider, SessionType
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import OnCallShiftFactory, PatientFactory, ProviderFactory
from tests.scheduling.locations import BOSTON, DENVER, Group, at, group_create, hours_add

pytestmark = pytest.mark.django_db
NOW = at(DENVER, 2027, 3, 8, 6)
MONDAY = "2027-03-08"
DAY = "/api/v1/calendar/day/"
LIST = "/api/v1/appointments/"
ADMIN_DAY = "/admin/scheduling/schedule/"


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def group() -> Group:
    return group_create()


@pytest.fixture
def late(group: Group) -> Provider:
    provider = ProviderFactory(clinic=group.denver, display_name="Dr. Late", hours=[])
    hours_add(provider, group.denver, (0,), datetime.time(18), datetime.time(23, 30))
    return provider


def book(provider: Provider, session_type: SessionType, starts_at: datetime.datetime) -> Appointment:
    return appointment_book(
        actor=Actor(user=None),
        booking=Booking(patient=PatientFactory(), provider=provider, session_type=session_type, starts_at=starts_at),
    )


@pytest.fixture
def monday(group: Group, late: Provider) -> dict[str, Appointment]:
    """Monday's sessions: Denver 09:00 (Ortega) and 22:30 (Dr. Late, 00:30 Tuesday in Boston); Boston 10:00."""
    boston_provider = ProviderFactory(clinic=group.boston, display_name="Dr. Boston")
    return {
        "denver": book(group.ortega, group.consult["denver"], at(DENVER, 2027, 3, 8, 9)),
        "denver_late": book(late, group.consult["denver"], at(DENVER, 2027, 3, 8, 22, 30)),
        "boston": book(boston_provider, group.consult["boston"], at(BOSTON, 2027, 3, 8, 10)),
    }


@pytest.fixture
def desk(api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser) -> APIClient:
    return api_as(front_desk)


@pytest.fixture
def office(clinic_admin: User) -> Client:
    client = Client()
    client.force_login(clinic_admin)
    return client


# --- Appointments API ---------------------------------------------------------------------------


def test_each_appointment_is_written_in_its_locations_zone_and_names_it(
    desk: APIClient, group: Group, monday: dict[str, Appointment]
) -> None:
    items = {item["id"]: item for item in desk.get(LIST, {"from": MONDAY, "to": MONDAY}).json()["results"]}
    denver, boston = items[monday["denver"].pk], items[monday["boston"].pk]
    assert (denver["clinic"], denver["clinic_timezone"]) == (group.denver.pk, "America/Denver")
    assert (denver["starts_at"], denver["ends_at"]) == ("2027-03-08T09:00:00-07:00", "2027-03-08T10:00:00-07:00")
    assert denver["created_at"] == "2027-03-08T06:00:00-07:00"
    assert (boston["clinic"], boston["clinic_timezone"]) == (group.boston.pk, "America/New_York")
    assert boston["starts_at"] == "2027-03-08T10:00:00-05:00"
    # 22:30 on Monday at Denver is Monday there, though Tuesday 00:30 in Boston.
    assert items[monday["denver_late"].pk]["starts_at"] == "2027-03-08T22:30:00-07:00"
    assert set(items) == {appointment.pk for appointment in monday.values()}


def test_the_list_takes_a_location_and_reads_days_in_each_locations_zone(
    desk: APIClient, group: Group, monday: dict[str, Appointment]
) -> None:
    def ids(**query: object) -> set[int]:
        response = desk.get(LIST, query)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    assert ids(clinic=group.denver.pk) == {monday["denver"].pk, monday["denver_late"].pk}
    assert ids(clinic=group.boston.pk, **{"from": MONDAY, "to": MONDAY}) == {monday["boston"].pk}
    assert ids(**{"from": "2027-03-09"}) == set()  # Tuesday nowhere yet, in each location's own days
    assert ids(clinic=group.phoenix.pk) == set()
    refused = desk.get(LIST, {"clinic": "999999"})
    assert refused.status_code == 400 and list(refused.json()) == ["clinic"]


# --- Day schedule API -----------------------------------------------------------------------------


def test_a_locations_day_is_read_in_its_zone_with_its_sessions_providers_and_rooms(
    desk: APIClient, group: Group, monday: dict[str, Appointment], late: Provider
) -> None:
    response = desk.get(DAY, {"clinic": group.denver.pk, "date": MONDAY})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["clinic"], body["timezone"]) == (group.denver.pk, "America/Denver")
    assert (body["starts_at"], body["ends_at"]) == ("2027-03-08T00:00:00-07:00", "2027-03-09T00:00:00-07:00")
    providers = {column["name"]: column["appointments"] for column in body["providers"]}
    assert list(providers) == ["Dr. Late, MD", "Dr. Lucia Ortega, MD"]  # those working at Denver on Mondays
    late_block = providers["Dr. Late, MD"][0]
    assert (late_block["starts_at"], late_block["clinic"], late_block["timezone"]) == (
        "2027-03-08T22:30:00-07:00",
        group.denver.pk,
        "America/Denver",
    )
    assert [column["name"] for column in body["rooms"]] == ["Denver chair", "No room"]
    assert "Boston" not in response.content.decode()
    event = AuditEvent.objects.filter(action="list", target_type="scheduling.Appointment").latest("id")
    assert event.detail == f"day schedule {MONDAY} at location {group.denver.pk}: 2 appointments"

    # Thursday at Phoenix: Ortega is there; at Denver she is not.
    thursday = desk.get(DAY, {"clinic": group.phoenix.pk, "date": "2027-03-11"}).json()
    assert [column["name"] for column in thursday["providers"]] == ["Dr. Lucia Ortega, MD"]
    assert desk.get(DAY, {"clinic": group.denver.pk, "date": "2027-03-11"}).json()["providers"] == []


def test_today_is_the_chosen_locations_and_a_dst_day_keeps_its_real_length(
    desk: APIClient, group: Group, monday: dict[str, Appointment]
) -> None:
    with time_machine.travel(at(DENVER, 2027, 3, 8, 23), tick=False):  # Tuesday 01:00 in Boston
        assert desk.get(DAY, {"clinic": group.denver.pk}).json()["date"] == MONDAY
        assert desk.get(DAY, {"clinic": group.phoenix.pk}).json()["date"] == MONDAY
        assert desk.get(DAY, {"clinic": group.boston.pk}).json()["date"] == "2027-03-09"
        assert desk.get(DAY).json()["date"] == "2027-03-09"  # no location: the first location's today
    change = desk.get(DAY, {"clinic": group.denver.pk, "date": "2027-03-14"}).json()
    assert (change["starts_at"], change["ends_at"]) == ("2027-03-14T00:00:00-07:00", "2027-03-15T00:00:00-06:00")
    phoenix = desk.get(DAY, {"clinic": group.phoenix.pk, "date": "2027-03-14"}).json()
    assert (phoenix["starts_at"], phoenix["ends_at"]) == ("2027-03-14T00:00:00-07:00", "2027-03-15T00:00:00-07:00")


def test_without_a_location_every_locations_sessions_keep_their_own_zone(
    desk: APIClient, group: Group, monday: dict[str, Appointment]
) -> None:
    body = desk.get(DAY, {"date": MONDAY}).json()
    assert (body["clinic"], body["timezone"]) == (None, "America/New_York")
    blocks = {block["appointment_id"]: block for column in body["providers"] for block in column["appointments"]}
    # Boston's Monday: Denver's 22:30 is already Tuesday here, so only the two daytime sessions.
    assert set(blocks) == {monday["denver"].pk, monday["boston"].pk}
    assert (blocks[monday["denver"].pk]["starts_at"], blocks[monday["denver"].pk]["timezone"]) == (
        "2027-03-08T09:00:00-07:00",
        "America/Denver",
    )
    assert blocks[monday["boston"].pk]["starts_at"] == "2027-03-08T10:00:00-05:00"
    refused = desk.get(DAY, {"clinic": "999999"})
    assert refused.status_code == 400 and refused.json() == {"clinic": ["No location has this id."]}


# --- Admin ----------------------------------------------------------------------------------------


def test_the_admin_day_schedule_shows_the_chosen_location_in_its_time(
    office: Client, group: Group, monday: dict[str, Appointment]
) -> None:
    page = office.get(ADMIN_DAY, {"clinic": group.denver.pk, "date": MONDAY})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Denver: Monday, 8 March 2027 <small>(America/Denver)</small>" in html
    assert f'<option value="{group.denver.pk}" selected>Denver (America/Denver)</option>' in html
    assert "22:30\u201323:30" in html and "09:00\u201310:00" in html
    assert f"&amp;clinic={group.denver.pk}" in html  # previous and next day stay at Denver

    default = office.get(ADMIN_DAY).content.decode()  # the first location, today there
    assert "Harbor Mind Clinic: Monday, 8 March 2027 <small>(America/New_York)</small>" in default
    assert "10:00\u201311:00" in default and "22:30" not in default

    with time_machine.travel(at(DENVER, 2027, 3, 8, 23), tick=False):
        assert "Denver: Monday, 8 March 2027" in office.get(ADMIN_DAY, {"clinic": group.denver.pk}).content.decode()
    bad = office.get(ADMIN_DAY, {"clinic": "nowhere"})
    assert bad.status_code == 400 and "Choose one of the locations." in bad.content.decode()


def test_the_admin_list_names_each_sessions_location_and_zone(
    office: Client, group: Group, monday: dict[str, Appointment]
) -> None:
    html = office.get("/admin/scheduling/appointment/").content.decode()
    assert "Mon 2027-03-08 09:00 MST" in html and "Mon 2027-03-08 22:30 MST" in html
    assert "Mon 2027-03-08 10:00 EST" in html
    assert "Starts (location time)" in html
    only_denver = office.get("/admin/scheduling/appointment/", {"session_type__clinic__id__exact": group.denver.pk})
    assert only_denver.context["cl"].result_count == 2


def test_the_admin_reads_a_typed_time_in_the_session_types_location_and_shows_it_back_so(
    office: Client, group: Group
) -> None:
    form: dict[str, Any] = {
        "patient": PatientFactory().pk,
        "provider": group.ortega.pk,
        "session_type": group.consult["denver"].pk,
        "room": "",
        "starts_at_0": "2027-03-09",
        "starts_at_1": "09:00:00",
    }
    saved = office.post("/admin/scheduling/appointment/add/", form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    appointment = Appointment.objects.get()
    assert appointment.starts_at == datetime.datetime(2027, 3, 9, 16, tzinfo=datetime.UTC)  # 09:00 MST
    change = office.get(f"/admin/scheduling/appointment/{appointment.pk}/change/").content.decode()
    assert 'value="09:00:00"' in change
    # Saving the form unchanged moves nothing.
    assert (
        office.post(
            f"/admin/scheduling/appointment/{appointment.pk}/change/",
            {"provider": group.ortega.pk, "room": "", "starts_at_0": "2027-03-09", "starts_at_1": "09:00:00"},
        ).status_code
        == 302
    )
    appointment.refresh_from_db()
    assert appointment.starts_at == datetime.datetime(2027, 3, 9, 16, tzinfo=datetime.UTC)


def test_staff_who_work_at_one_location_read_the_admin_in_its_zone(
    office: Client, clinic_admin: User, group: Group, monday: dict[str, Appointment]
) -> None:
    OnCallShiftFactory(starts_at=at(BOSTON, 2027, 3, 8, 8), ends_at=at(BOSTON, 2027, 3, 8, 20))
    shifts = "/admin/oncall/oncallshift/"
    assert "March 8, 2027, 8 a.m." in office.get(shifts).content.decode()  # the first location's zone
    StaffLocation.objects.create(user=clinic_admin, clinic=group.phoenix)
    assert "March 8, 2027, 6 a.m." in office.get(shifts).content.decode()  # Phoenix's
    # A session's own times stay its location's, whatever the staff member's zone.
    html = office.get("/admin/scheduling/appointment/").content.decode()
    assert "Mon 2027-03-08 09:00 MST" in html and "Mon 2027-03-08 10:00 EST" in html
    assert str(monday["denver"]) == "Consultation on 2027-03-08 09:00 MST (Scheduled)"
    StaffLocation.objects.create(user=clinic_admin, clinic=group.boston)  # two zones: the first location's again
    assert "March 8, 2027, 8 a.m." in office.get(shifts).content.decode()
