"""The staff patients API: create (with consent), search, read (with opt-out state), correct."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.core.consent import CURRENT_SMS_CONSENT_VERSION
from clinic.core.models import Clinic
from clinic.messaging.numbers import number_mark_undeliverable, number_opt_out
from clinic.patients.models import Patient
from clinic.scheduling.services import Booking, appointment_book, appointment_cancel
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory, UserFactory
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 26, 8, 0, tzinfo=NY)
LIST = "/api/v1/patients/"
SYSTEM = Actor(user=None)


def detail_url(patient: Patient | int) -> str:
    return f"/api/v1/patients/{patient if isinstance(patient, int) else patient.pk}/"


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic() -> Clinic:
    return ClinicFactory(timezone="America/Chicago")


@pytest.fixture
def desk(api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser, clinic: Clinic) -> APIClient:
    return api_as(front_desk)


VALID = {
    "first_name": "  Ruth ",
    "last_name": "Okafor",
    "date_of_birth": "1984-03-09",
    "phone": "(617) 555-0123",
    "email": "ruth@example.com",
}


# --- Create ---------------------------------------------------------------------------------


def test_front_desk_creates_a_patient_with_consent_recorded_now(desk: APIClient, front_desk: AbstractBaseUser) -> None:
    response = desk.post(LIST, {**VALID, "sms_consent": True}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["first_name"] == "Ruth"
    assert body["phone"] == "+16175550123"
    assert body["timezone"] == "America/Chicago"  # the clinic's
    assert body["sms_consent"] is True
    assert body["phone_state"]["can_text"] is True
    assert body["upcoming_appointments"] == []

    patient = Patient.objects.get(pk=body["id"])
    assert patient.sms_consent_at == NOW
    assert patient.sms_consent_source == "staff"
    assert patient.sms_consent_version == CURRENT_SMS_CONSENT_VERSION
    assert patient.created_by == front_desk
    event = AuditEvent.objects.get(action="create", target_type="patients.Patient", target_id=str(patient.pk))
    assert event.actor == front_desk
    assert "Ruth" not in event.detail and "0123" not in event.detail


def test_without_consent_nothing_is_recorded(desk: APIClient) -> None:
    body = desk.post(LIST, {**VALID, "timezone": "America/Los_Angeles"}, format="json").json()
    patient = Patient.objects.get(pk=body["id"])
    assert (patient.sms_consent_at, patient.sms_consent_version, patient.sms_consent_source) == (None, "", "")
    assert patient.timezone == "America/Los_Angeles"
    assert body["phone_state"]["can_text"] is False


@pytest.mark.parametrize("encoding", ["multipart", "form"])
def test_the_staff_api_reads_json_only_so_an_empty_field_cannot_mean_not_sent(desk: APIClient, encoding: str) -> None:
    # Form encoding drops empty fields: a PATCH clearing the phone would have answered 200 and changed nothing.
    patient = PatientFactory(phone="+16175550100")
    body = {"phone": ""}
    if encoding == "form":
        response = desk.patch(f"{LIST}{patient.pk}/", "phone=", content_type="application/x-www-form-urlencoded")
    else:
        response = desk.patch(f"{LIST}{patient.pk}/", body, format="multipart")
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]
    patient.refresh_from_db()
    assert patient.phone == "+16175550100"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "123"}, "phone"),
        ({"phone": "+1 555 000 0000 0000"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"phone": None}, "phone"),
        ({"phone": "6" * 500}, "phone"),
        ({"phone": ["6175550123"]}, "phone"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"first_name": "Ru\x00th"}, "first_name"),
        ({"last_name": {"a": 1}}, "last_name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b\x00.com"}, "email"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "America"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"timezone": "\x00"}, "timezone"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth"),
        ({"date_of_birth": "09/03/1984"}, "date_of_birth"),
        ({"date_of_birth": "1984-02-30"}, "date_of_birth"),
        ({"sms_consent": "maybe"}, "sms_consent"),
    ],
)
def test_a_bad_field_gets_400_naming_it(desk: APIClient, changes: dict[str, Any], field: str) -> None:
    response = desk.post(LIST, {**VALID, **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Patient.objects.exists()


def test_a_lone_surrogate_in_json_gets_400(desk: APIClient) -> None:
    body = b'{"first_name": "Ruth", "last_name": "\\ud800", "phone": "6175550123"}'
    response = desk.generic("POST", LIST, body, content_type="application/json")
    assert response.status_code == 400
    assert "last_name" in response.json()


def test_missing_required_fields_are_each_named(desk: APIClient) -> None:
    response = desk.post(LIST, {}, format="json")
    assert response.status_code == 400
    assert {"first_name", "last_name", "phone"} <= set(response.json())


def test_phone_error_says_what_to_do(desk: APIClient) -> None:
    response = desk.post(LIST, {**VALID, "phone": "555"}, format="json")
    assert response.json()["phone"] == ["Enter a valid phone number, including the area code."]


def test_garbage_bodies_never_cause_a_500(desk: APIClient) -> None:
    for body, content_type in [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"text"', "application/json"),
        (b"\xff\xfe", "application/json"),
    ]:
        response = desk.generic("POST", LIST, body, content_type=content_type)
        assert response.status_code == 400, (body, response.content)


# --- Roles ----------------------------------------------------------------------------------


def test_anonymous_callers_are_refused(api: APIClient, clinic: Clinic) -> None:
    patient = PatientFactory()
    assert api.get(LIST).status_code == 401
    assert api.post(LIST, VALID, format="json").status_code == 401
    assert api.get(detail_url(patient)).status_code == 401
    assert api.patch(detail_url(patient), {"first_name": "X"}, format="json").status_code == 401
    assert not Patient.objects.exclude(pk=patient.pk).exists()


def test_staff_without_a_role_are_refused(clinic: Clinic) -> None:
    client = APIClient()
    client.force_authenticate(user=UserFactory(username="no-role"))
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, VALID, format="json").status_code == 403


def test_every_role_can_read_and_create(
    api_as: Callable[[AbstractBaseUser], APIClient],
    front_desk: AbstractBaseUser,
    clinician: AbstractBaseUser,
    clinic_admin: AbstractBaseUser,
    clinic: Clinic,
) -> None:
    for number, user in enumerate((front_desk, clinician, clinic_admin)):
        client = api_as(user)
        assert client.post(LIST, {**VALID, "phone": f"617555010{number}"}, format="json").status_code == 201
        assert client.get(LIST).status_code == 200


def test_put_and_delete_are_not_offered(desk: APIClient) -> None:
    patient = PatientFactory()
    # The role check answers before DRF could say 405: an action the view does not list is closed to everyone.
    assert desk.put(detail_url(patient), VALID, format="json").status_code == 403
    assert desk.delete(detail_url(patient)).status_code == 403
    assert Patient.objects.filter(pk=patient.pk).exists()


# --- List and search ------------------------------------------------------------------------


@pytest.fixture
def people(clinic: Clinic) -> dict[str, Patient]:
    return {
        "ruth": PatientFactory(first_name="Ruth", last_name="Okafor", phone="+16175550111"),
        "rudy": PatientFactory(first_name="Rudy", last_name="Berg", phone="+16175550222"),
        "sam": PatientFactory(first_name="Sam", last_name="Ruthven", phone="+12125550333"),
    }


def names(response: Any) -> list[str]:
    return [f"{p['first_name']} {p['last_name']}" for p in response.json()["results"]]


def test_search_by_name_words_or_phone_digits(desk: APIClient, people: dict[str, Patient]) -> None:
    assert names(desk.get(LIST)) == ["Rudy Berg", "Ruth Okafor", "Sam Ruthven"]
    assert names(desk.get(LIST, {"q": "ruth"})) == ["Ruth Okafor", "Sam Ruthven"]
    assert names(desk.get(LIST, {"q": "Ruth Okafor"})) == ["Ruth Okafor"]
    assert names(desk.get(LIST, {"q": "okafor ruth"})) == ["Ruth Okafor"]
    assert names(desk.get(LIST, {"q": "(617) 555-0222"})) == ["Rudy Berg"]
    assert names(desk.get(LIST, {"q": "212"})) == ["Sam Ruthven"]
    assert names(desk.get(LIST, {"q": "+1 617"})) == ["Rudy Berg", "Ruth Okafor"]
    assert names(desk.get(LIST, {"q": "nobody"})) == []


def test_list_is_paginated(desk: APIClient, clinic: Clinic) -> None:
    PatientFactory.create_batch(55)
    first = desk.get(LIST).json()
    assert first["count"] == 55
    assert len(first["results"]) == 50
    assert first["next"]
    assert len(desk.get(LIST, {"page": 2}).json()["results"]) == 5
    assert desk.get(LIST, {"page": 9}).status_code == 404
    assert desk.get(LIST, {"page": "x"}).status_code == 404


def test_list_is_audited_without_the_search_words(
    desk: APIClient, front_desk: AbstractBaseUser, people: dict[str, Patient]
) -> None:
    desk.get(LIST, {"q": "Okafor"})
    event = AuditEvent.objects.get(action="list", target_type="patients.Patient")
    assert event.actor == front_desk
    assert event.detail == "1 patients listed (search)"


def test_bad_search_gets_400(desk: APIClient) -> None:
    assert desk.get(LIST, {"q": "a\x00b"}).status_code == 400
    assert desk.get(LIST, {"q": "x" * 101}).status_code == 400


# --- Detail ---------------------------------------------------------------------------------


@pytest.fixture
def booked_patient(clinic: Clinic) -> Patient:
    patient = PatientFactory(first_name="Ruth", last_name="Okafor", phone="+16175550111")
    provider = ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone")
    chair = RoomFactory(clinic=clinic, name="Chair A")
    infusion = SessionTypeFactory(clinic=clinic, name="IV infusion")
    chicago = zoneinfo.ZoneInfo("America/Chicago")

    def book(day: int) -> Any:
        starts_at = datetime.datetime(2026, 10, day, 10, tzinfo=chicago)
        return appointment_book(
            actor=SYSTEM,
            booking=Booking(patient=patient, provider=provider, session_type=infusion, starts_at=starts_at, room=chair),
        )

    book(28)
    cancelled = book(29)
    appointment_cancel(actor=SYSTEM, appointment=cancelled, reason="moved away")
    book(27)
    return patient


def test_detail_shows_upcoming_sessions_soonest_first(desk: APIClient, booked_patient: Patient) -> None:
    body = desk.get(detail_url(booked_patient)).json()
    upcoming = body["upcoming_appointments"]
    assert [a["starts_at"] for a in upcoming] == ["2026-10-27T15:00:00Z", "2026-10-28T15:00:00Z"]
    assert upcoming[0]["session_type"] == "IV infusion"
    assert upcoming[0]["provider"] == "Dr. Ada Stone"
    assert upcoming[0]["room"] == "Chair A"
    assert upcoming[0]["status"] == "scheduled"

    with time_machine.travel(datetime.datetime(2026, 10, 27, 17, tzinfo=datetime.UTC), tick=False):
        later = desk.get(detail_url(booked_patient)).json()["upcoming_appointments"]
    assert [a["starts_at"] for a in later] == ["2026-10-28T15:00:00Z"]


def test_detail_shows_the_numbers_opt_out_state(desk: APIClient, clinic: Clinic) -> None:
    patient = PatientFactory(
        phone="+16175550144", sms_consent_at=NOW, sms_consent_version="v", sms_consent_source="web"
    )
    state = desk.get(detail_url(patient)).json()["phone_state"]
    assert state["opted_out"] is False and state["can_text"] is True

    number_opt_out(phone=patient.phone, keyword="STOP")
    body = desk.get(detail_url(patient)).json()
    assert body["sms_consent"] is True  # consent stays on record; the opt-out still wins
    assert body["phone_state"]["opted_out"] is True
    assert body["phone_state"]["opt_out_keyword"] == "STOP"
    assert body["phone_state"]["can_text"] is False

    other = PatientFactory(phone="+16175550155", sms_consent_at=NOW)
    number_mark_undeliverable(phone=other.phone, code=30006)
    state = desk.get(detail_url(other)).json()["phone_state"]
    assert state["undeliverable"] is True and state["can_text"] is False


def test_detail_is_audited_as_a_view(desk: APIClient, front_desk: AbstractBaseUser, clinic: Clinic) -> None:
    patient = PatientFactory()
    desk.get(detail_url(patient))
    assert AuditEvent.objects.filter(
        actor=front_desk, action="view", target_type="patients.Patient", target_id=str(patient.pk)
    ).exists()


def test_unknown_patient_is_404(desk: APIClient) -> None:
    assert desk.get(detail_url(987654)).status_code == 404
    assert desk.patch(detail_url(987654), {"first_name": "X"}, format="json").status_code == 404


def test_the_messages_route_still_belongs_to_messaging(desk: APIClient, clinic: Clinic) -> None:
    patient = PatientFactory()
    response = desk.get(f"/api/v1/patients/{patient.pk}/messages/")
    assert response.status_code == 200
    assert isinstance(response.json(), list)


# --- Update ---------------------------------------------------------------------------------


def test_patch_changes_fields_and_audits_their_names_only(desk: APIClient, front_desk: AbstractBaseUser) -> None:
    patient = PatientFactory(first_name="Ruth", last_name="Okafor", email="")
    response = desk.patch(
        detail_url(patient), {"first_name": "Ruthie", "last_name": "Okafor", "email": "r@example.com"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["first_name"] == "Ruthie"
    patient.refresh_from_db()
    assert (patient.first_name, patient.email) == ("Ruthie", "r@example.com")
    event = AuditEvent.objects.get(action="update", target_type="patients.Patient", target_id=str(patient.pk))
    assert event.actor == front_desk
    assert event.detail == "changed: first_name, email"  # last_name was sent unchanged
    assert "Ruthie" not in event.detail and "example" not in event.detail


def test_a_new_phone_number_drops_consent_given_for_the_old_one(desk: APIClient) -> None:
    patient = PatientFactory(
        phone="+16175550111", sms_consent_at=NOW - datetime.timedelta(days=3), sms_consent_version="v0"
    )
    body = desk.patch(detail_url(patient), {"phone": "617-555-0999"}, format="json").json()
    assert body["phone"] == "+16175550999"
    assert body["sms_consent"] is False
    assert AuditEvent.objects.get(action="update").detail == "changed: phone, sms_consent"


def test_consent_to_a_new_number_given_with_it_is_recorded_now(desk: APIClient) -> None:
    patient = PatientFactory(sms_consent_at=NOW - datetime.timedelta(days=3), sms_consent_version="v0")
    desk.patch(detail_url(patient), {"phone": "617-555-0999", "sms_consent": True}, format="json")
    patient.refresh_from_db()
    assert patient.sms_consent_at == NOW
    assert patient.sms_consent_version == CURRENT_SMS_CONSENT_VERSION
    assert patient.sms_consent_source == "staff"


def test_consent_already_on_record_is_kept_and_can_be_withdrawn(desk: APIClient) -> None:
    given = NOW - datetime.timedelta(days=3)
    patient = PatientFactory(sms_consent_at=given, sms_consent_version="v0", sms_consent_source="web_form")
    desk.patch(detail_url(patient), {"sms_consent": True}, format="json")
    patient.refresh_from_db()
    assert (patient.sms_consent_at, patient.sms_consent_source) == (given, "web_form")
    assert AuditEvent.objects.get(action="update").detail == "changed: nothing"

    desk.patch(detail_url(patient), {"sms_consent": False}, format="json")
    patient.refresh_from_db()
    assert (patient.sms_consent_at, patient.sms_consent_version, patient.sms_consent_source) == (None, "", "")


@pytest.mark.parametrize(
    "changes",
    [
        {"phone": "12"},
        {"first_name": ""},
        {"timezone": ""},
        {"timezone": "America"},
        {"email": None},
        {"date_of_birth": "tomorrow"},
    ],
)
def test_patch_with_a_bad_field_gets_400_and_changes_nothing(desk: APIClient, changes: dict[str, Any]) -> None:
    patient = PatientFactory(first_name="Ruth")
    response = desk.patch(detail_url(patient), changes, format="json")
    assert response.status_code == 400
    assert set(changes) <= set(response.json())
    patient.refresh_from_db()
    assert patient.first_name == "Ruth"
    assert not AuditEvent.objects.filter(action="update").exists()


def test_patch_can_clear_the_date_of_birth(desk: APIClient) -> None:
    patient = PatientFactory()
    assert desk.patch(detail_url(patient), {"date_of_birth": None}, format="json").status_code == 200
    patient.refresh_from_db()
    assert patient.date_of_birth is None
