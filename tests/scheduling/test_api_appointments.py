"""The appointments API and the reference lists staff book from.

The clinic is in America/New_York. "Now" is Tuesday 2026-12-01 08:00 local; bookings land on
Monday 2026-12-07 (EST, -05:00), when the providers work 09:00-17:00.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser, Permission, User
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.checkins.models import CheckIn
from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, SessionType
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import (
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.clock import NY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=NY)
URL = "/api/v1/appointments/"
Status = Appointment.Status


def monday(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, 7, hour, minute, tzinfo=NY)


@pytest.fixture
def infusion(clinic: Clinic, chair: Room) -> SessionType:
    """45 minutes in a chair and 60 of monitoring; the clinic has one chair (Chair A) for it."""
    return SessionTypeFactory(clinic=clinic)


@pytest.fixture
def patient() -> Patient:
    return PatientFactory(first_name="Maya", last_name="Reyes")


@pytest.fixture
def desk(api_as: Callable[[AbstractBaseUser], APIClient], front_desk: AbstractBaseUser) -> APIClient:
    return api_as(front_desk)


@pytest.fixture
def payload(patient: Patient, provider: Provider, infusion: SessionType, chair: Room) -> dict[str, Any]:
    return {
        "patient": patient.pk,
        "provider": provider.pk,
        "session_type": infusion.pk,
        "starts_at": "2026-12-07T09:00:00-05:00",
    }


def book(patient: Patient, provider: Provider, session_type: SessionType, starts_at: datetime.datetime) -> Appointment:
    return appointment_book(
        actor=Actor(user=None),
        booking=Booking(patient=patient, provider=provider, session_type=session_type, starts_at=starts_at),
    )


# --- Booking ------------------------------------------------------------------------------------


def test_booking_answers_201_with_times_in_the_clinic_offset(
    desk: APIClient, payload: dict[str, Any], chair: Room, front_desk: User
) -> None:
    response = desk.post(URL, payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["starts_at"] == "2026-12-07T09:00:00-05:00"
    assert body["ends_at"] == "2026-12-07T10:45:00-05:00"  # 45 minutes + 60 of monitoring
    assert body["room"] == {"id": chair.pk, "name": "Chair A", "is_treatment_chair": True}  # first free chair
    assert body["patient"]["last_name"] == "Reyes"
    assert body["provider"]["display_name"] == "Dr. Ada Stone"
    assert body["status"] == Status.SCHEDULED
    assert body["allowed_transitions"] == [Status.CONFIRMED, Status.CANCELLED]  # check-in only on the day
    appointment = Appointment.objects.get()
    assert appointment.starts_at == monday(9)
    assert appointment.created_by == front_desk
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, target_id=str(appointment.pk), actor=front_desk
    ).exists()


def test_a_time_given_in_utc_is_answered_in_clinic_time(desk: APIClient, payload: dict[str, Any]) -> None:
    response = desk.post(URL, {**payload, "starts_at": "2026-12-07T14:00:00Z"}, format="json")

    assert response.status_code == 201
    assert response.json()["starts_at"] == "2026-12-07T09:00:00-05:00"


def test_form_encoded_booking_works_too(desk: APIClient, payload: dict[str, Any]) -> None:
    assert desk.post(URL, payload).status_code == 201


def test_a_time_without_offset_is_refused_with_a_clear_400(desk: APIClient, payload: dict[str, Any]) -> None:
    response = desk.post(URL, {**payload, "starts_at": "2026-12-07T09:00:00"}, format="json")

    assert response.status_code == 400
    assert "offset" in response.json()["starts_at"][0]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("patient", "abc"),
        ("patient", 999_999),
        ("patient", 10**30),
        ("patient", -1),
        ("patient", True),
        ("patient", 1.5),
        ("patient", [1]),
        ("patient", None),
        ("provider", {"id": 1}),
        ("provider", "9999999999999999999999"),
        ("session_type", ""),
        ("room", "x"),
        ("room", 2**31),
        ("starts_at", 12345),
        ("starts_at", "tomorrow morning"),
        ("starts_at", "2026-13-45T09:00:00-05:00"),
        ("starts_at", "2026-12-07T09:00:00+99:00"),
        ("starts_at", "9999-12-31T23:59:59-14:00"),
        ("starts_at", "0001-01-01T00:00:00+14:00"),
        ("starts_at", ["2026-12-07T09:00:00-05:00"]),
        ("starts_at", "2026-12-07"),
    ],
)
def test_junk_in_a_field_is_a_400_naming_it(
    desk: APIClient, payload: dict[str, Any], field: str, value: object
) -> None:
    response = desk.post(URL, {**payload, field: value}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Appointment.objects.exists()


def test_missing_fields_are_each_named(desk: APIClient) -> None:
    response = desk.post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"patient", "provider", "session_type", "starts_at"}


@pytest.mark.parametrize(
    "body", ['{"patient": 1e400}', '{"patient": NaN}', "not json", "[]", '"a string"', '{"starts_at": {"$gt": 1}}']
)
def test_malformed_bodies_are_400(desk: APIClient, body: str) -> None:
    assert desk.post(URL, body, content_type="application/json").status_code == 400


@pytest.mark.parametrize(
    ("starts_at", "field"),
    [
        ("2026-12-05T10:00:00-05:00", "starts_at"),  # a Saturday
        ("2026-12-07T16:00:00-05:00", "starts_at"),  # monitoring would run past 17:00
        ("2026-11-30T10:00:00-05:00", "starts_at"),  # the past
    ],
)
def test_a_time_the_rules_refuse_is_a_400(desk: APIClient, payload: dict[str, Any], starts_at: str, field: str) -> None:
    response = desk.post(URL, {**payload, "starts_at": starts_at}, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_an_office_for_a_chair_session_and_an_inactive_provider_are_400s(
    desk: APIClient, payload: dict[str, Any], clinic: Clinic, provider: Provider
) -> None:
    office = RoomFactory(clinic=clinic, name="Office 1", is_treatment_chair=False)
    response = desk.post(URL, {**payload, "room": office.pk}, format="json")
    assert response.status_code == 400
    assert "room" in response.json()

    provider.is_active = False
    provider.save()
    response = desk.post(URL, payload, format="json")
    assert response.status_code == 400
    assert "provider" in response.json()


def test_a_taken_time_is_a_409_naming_what_is_busy_and_when(
    desk: APIClient, payload: dict[str, Any], provider: Provider, infusion: SessionType, clinic: Clinic
) -> None:
    RoomFactory(clinic=clinic, name="Chair B")  # a chair is free: the provider is what is taken
    book(PatientFactory(), provider, infusion, monday(9))

    response = desk.post(URL, {**payload, "starts_at": "2026-12-07T09:30:00-05:00"}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] == {
        "resource": "Dr. Ada Stone",
        "starts_at": "2026-12-07T09:00:00-05:00",
        "ends_at": "2026-12-07T10:45:00-05:00",
    }
    assert "Dr. Ada Stone" in body["detail"]
    assert "2026-12-07 09:00" in body["detail"]
    assert Appointment.objects.count() == 1


def test_the_patient_booked_elsewhere_is_a_409_naming_the_patient(
    desk: APIClient, payload: dict[str, Any], patient: Patient, clinic: Clinic, infusion: SessionType
) -> None:
    RoomFactory(clinic=clinic, name="Chair B")
    book(patient, ProviderFactory(clinic=clinic), infusion, monday(10))

    response = desk.post(URL, payload, format="json")

    assert response.status_code == 409
    assert response.json()["conflict"]["resource"] == "The patient"


# --- Reading -------------------------------------------------------------------------------------


def test_list_filters_by_local_days_provider_and_status_and_is_audited(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType, clinic: Clinic, front_desk: User
) -> None:
    RoomFactory(clinic=clinic, name="Chair B")
    other = ProviderFactory(clinic=clinic, display_name="Dr. Ben Hale")
    first = book(patient, provider, infusion, monday(9))
    late = book(PatientFactory(), other, infusion, monday(15))  # ends 16:45, still Monday
    tuesday = book(patient, provider, infusion, monday(9) + datetime.timedelta(days=1))

    response = desk.get(URL, {"from": "2026-12-07", "to": "2026-12-07"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [first.pk, late.pk]
    assert body["results"][0]["starts_at"] == "2026-12-07T09:00:00-05:00"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LIST, actor=front_desk).exists()

    only_other = desk.get(URL, {"provider": other.pk}).json()
    assert [item["id"] for item in only_other["results"]] == [late.pk]
    by_patient = desk.get(URL, {"patient": patient.pk, "from": "2026-12-08"}).json()
    assert [item["id"] for item in by_patient["results"]] == [tuesday.pk]
    assert desk.get(URL, {"status": Status.CANCELLED}).json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "junk"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "99999-01-01"}, "to"),
        ({"from": "2026-12-08", "to": "2026-12-07"}, "to"),
        ({"provider": "abc"}, "provider"),
        ({"provider": "99999"}, "provider"),
        ({"room": "1e400"}, "room"),
        ({"patient": "-3"}, "patient"),
        ({"status": "teleported"}, "status"),
    ],
)
def test_bad_list_filters_are_400s(desk: APIClient, params: dict[str, str], field: str) -> None:
    response = desk.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()


def test_a_page_past_the_end_is_a_404_not_a_500(desk: APIClient) -> None:
    assert desk.get(URL, {"page": "999"}).status_code == 404
    assert desk.get(URL, {"page": "abc"}).status_code == 404


def test_detail_is_audited_and_offers_the_next_statuses(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType, front_desk: User
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    response = desk.get(f"{URL}{appointment.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["allowed_transitions"] == [Status.CONFIRMED, Status.CANCELLED]
    assert body["can_reschedule"] is True
    # On the day, before the start: it can also be checked in; after the start, no longer confirmed
    # or cancelled, but a no-show; once it is over, it cannot be moved.
    with time_machine.travel(monday(8, 30), tick=False):
        assert desk.get(f"{URL}{appointment.pk}/").json()["allowed_transitions"] == [
            Status.CONFIRMED,
            Status.CHECKED_IN,
            Status.CANCELLED,
        ]
    with time_machine.travel(monday(9, 10), tick=False):
        later = desk.get(f"{URL}{appointment.pk}/").json()
        assert later["allowed_transitions"] == [Status.CHECKED_IN, Status.NO_SHOW]
        assert later["can_reschedule"] is True  # a late patient's session can still move
    with time_machine.travel(monday(11), tick=False):
        over = desk.get(f"{URL}{appointment.pk}/").json()
        assert (over["allowed_transitions"], over["can_reschedule"]) == ([Status.CHECKED_IN, Status.NO_SHOW], False)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, target_id=str(appointment.pk), actor=front_desk
    ).exists()
    with time_machine.travel(monday(9, 30), tick=False):  # started: a no-show is possible now
        assert Status.NO_SHOW in desk.get(f"{URL}{appointment.pk}/").json()["allowed_transitions"]


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999"])
def test_unknown_appointments_are_404s(desk: APIClient, pk: str) -> None:
    assert desk.get(f"{URL}{pk}/").status_code == 404
    assert desk.post(f"{URL}{pk}/confirm/").status_code == 404
    assert desk.post(f"{URL}{pk}/reschedule/", {"starts_at": "2026-12-07T11:00:00-05:00"}).status_code == 404


# --- Moving a session along ----------------------------------------------------------------------


def test_reschedule_moves_the_session_and_answers_in_clinic_time(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    response = desk.post(
        f"{URL}{appointment.pk}/reschedule/", {"starts_at": "2026-12-07T11:00:00-05:00"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["starts_at"] == "2026-12-07T11:00:00-05:00"
    appointment.refresh_from_db()
    assert appointment.starts_at == monday(11)


def test_reschedule_into_a_taken_time_is_409_and_keeps_the_old_time(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType, clinic: Clinic
) -> None:
    RoomFactory(clinic=clinic, name="Chair B")
    appointment = book(patient, provider, infusion, monday(9))
    book(PatientFactory(), provider, infusion, monday(13))

    response = desk.post(
        f"{URL}{appointment.pk}/reschedule/", {"starts_at": "2026-12-07T13:30:00-05:00"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["conflict"]["starts_at"] == "2026-12-07T13:00:00-05:00"
    appointment.refresh_from_db()
    assert appointment.starts_at == monday(9)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "starts_at"),
        ({"starts_at": "2026-12-07T11:00:00"}, "starts_at"),
        ({"starts_at": "2026-12-07T11:00:00-05:00", "provider": 424242}, "provider"),
        ({"starts_at": "2026-12-07T11:00:00-05:00", "room": "chair"}, "room"),
    ],
)
def test_reschedule_junk_is_400(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType, body: dict[str, Any], field: str
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    response = desk.post(f"{URL}{appointment.pk}/reschedule/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_cancel_needs_a_reason_and_cannot_happen_twice(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))
    cancel = f"{URL}{appointment.pk}/cancel/"

    assert "reason" in desk.post(cancel, {}, format="json").json()
    assert "reason" in desk.post(cancel, {"reason": "   "}, format="json").json()
    assert desk.post(cancel, {"reason": "x" * 201}, format="json").status_code == 400

    response = desk.post(cancel, {"reason": "Patient asked to cancel"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.CANCELLED
    assert response.json()["cancellation_reason"] == "Patient asked to cancel"
    assert response.json()["allowed_transitions"] == []

    again = desk.post(cancel, {"reason": "again"}, format="json")
    assert again.status_code == 400
    assert "status" in again.json()


def test_a_session_is_confirmed_checked_in_and_completed(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))
    base = f"{URL}{appointment.pk}"

    assert desk.post(f"{base}/confirm/").json()["status"] == Status.CONFIRMED
    with time_machine.travel(monday(8, 45), tick=False):
        assert desk.post(f"{base}/check-in/").json()["status"] == Status.CHECKED_IN
    with time_machine.travel(monday(10, 45), tick=False):
        assert desk.post(f"{base}/complete/").json()["status"] == Status.COMPLETED

    refused = desk.post(f"{base}/confirm/")
    assert refused.status_code == 400
    assert "status" in refused.json()


def test_a_session_is_checked_in_only_on_its_day_and_completed_only_after_its_start(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))
    base = f"{URL}{appointment.pk}"

    # The evening before, in the clinic's zone (already Monday in UTC): too early to check in.
    with time_machine.travel(datetime.datetime(2026, 12, 6, 20, tzinfo=NY), tick=False):
        early = desk.post(f"{base}/check-in/")
    assert early.status_code == 400
    assert "only be checked in on its day" in early.json()["status"][0]
    assert "2026-12-07" in early.json()["status"][0]

    with time_machine.travel(monday(7, 30), tick=False):
        assert desk.post(f"{base}/check-in/").status_code == 200
        too_soon = desk.post(f"{base}/complete/")
    assert too_soon.status_code == 400
    assert "cannot be completed before it starts" in too_soon.json()["status"][0]
    appointment.refresh_from_db()
    assert appointment.status == Status.CHECKED_IN
    assert not CheckIn.objects.filter(appointment=appointment).exists()  # no check-ins started

    with time_machine.travel(monday(10, 45), tick=False):
        assert desk.post(f"{base}/complete/").json()["status"] == Status.COMPLETED
    assert CheckIn.objects.filter(appointment=appointment).exists()


def test_a_session_from_yesterday_can_no_longer_be_checked_in(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    with time_machine.travel(datetime.datetime(2026, 12, 8, 9, tzinfo=NY), tick=False):
        refused = desk.post(f"{URL}{appointment.pk}/check-in/")
    assert refused.status_code == 400
    assert "can no longer be checked in" in refused.json()["status"][0]


def test_a_started_session_cannot_be_confirmed_or_cancelled_nor_an_ended_one_moved(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))
    base = f"{URL}{appointment.pk}"

    with time_machine.travel(monday(9, 5), tick=False):
        confirm = desk.post(f"{base}/confirm/")
        cancel = desk.post(f"{base}/cancel/", {"reason": "Patient did not come"}, format="json")
        into_the_past = desk.post(f"{base}/reschedule/", {"starts_at": monday(9).isoformat()}, format="json")
    assert confirm.status_code == cancel.status_code == into_the_past.status_code == 400
    assert "can no longer be confirmed" in confirm.json()["status"][0]
    assert "no-show" in cancel.json()["status"][0]
    assert "has passed" in into_the_past.json()["starts_at"][0]

    with time_machine.travel(monday(12), tick=False):
        moved = desk.post(f"{base}/reschedule/", {"starts_at": monday(14).isoformat()}, format="json")
    assert moved.status_code == 400
    assert "over" in moved.json()["status"][0]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at) == (Status.SCHEDULED, monday(9))


def test_a_no_show_only_once_the_session_has_started(
    desk: APIClient, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    early = desk.post(f"{URL}{appointment.pk}/no-show/")
    assert early.status_code == 400
    assert "status" in early.json()

    with time_machine.travel(monday(9, 40), tick=False):
        late = desk.post(f"{URL}{appointment.pk}/no-show/")
    assert late.status_code == 200
    assert late.json()["status"] == Status.NO_SHOW


# --- Who may do what -----------------------------------------------------------------------------


def test_anonymous_callers_are_refused(api: APIClient, payload: dict[str, Any]) -> None:
    assert api.get(URL).status_code == 401
    assert api.post(URL, payload, format="json").status_code == 401
    assert not Appointment.objects.exists()


def test_staff_without_a_role_are_refused(
    api_as: Callable[[AbstractBaseUser], APIClient], payload: dict[str, Any]
) -> None:
    nobody = api_as(UserFactory(username="norole"))

    assert nobody.get(URL).status_code == 403
    assert nobody.post(URL, payload, format="json").status_code == 403


@pytest.mark.parametrize("role", ["front_desk", "clinician", "clinic_admin"])
def test_every_staff_role_can_book_list_and_move_sessions(
    request: pytest.FixtureRequest,
    api_as: Callable[[AbstractBaseUser], APIClient],
    payload: dict[str, Any],
    role: str,
) -> None:
    client = api_as(request.getfixturevalue(role))

    created = client.post(URL, payload, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert client.get(URL).status_code == 200
    assert client.post(f"{URL}{pk}/confirm/").status_code == 200
    assert client.post(f"{URL}{pk}/cancel/", {"reason": "test"}, format="json").status_code == 200


def test_view_only_staff_can_read_but_not_book_or_change(
    api_as: Callable[[AbstractBaseUser], APIClient],
    payload: dict[str, Any],
    patient: Patient,
    provider: Provider,
    infusion: SessionType,
) -> None:
    reader = UserFactory(username="reader")
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="scheduling", codename="view_appointment"),
        Permission.objects.get(content_type__app_label="patients", codename="view_patient"),
    )
    client = api_as(reader)
    appointment = book(patient, provider, infusion, monday(9))

    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{appointment.pk}/").status_code == 200
    assert client.post(URL, {**payload, "starts_at": "2026-12-07T13:00:00-05:00"}, format="json").status_code == 403
    assert client.post(f"{URL}{appointment.pk}/confirm/").status_code == 403


# --- Reference lists -----------------------------------------------------------------------------


def test_reference_lists_hold_the_active_providers_rooms_and_session_types(
    desk: APIClient, clinic: Clinic, provider: Provider, chair: Room, infusion: SessionType
) -> None:
    ProviderFactory(clinic=clinic, display_name="Dr. Gone", is_active=False)
    RoomFactory(clinic=clinic, name="Closed chair", is_active=False)
    SessionTypeFactory(clinic=clinic, name="Retired", is_active=False)

    providers = desk.get("/api/v1/providers/")
    rooms = desk.get("/api/v1/rooms/")
    session_types = desk.get("/api/v1/session-types/")

    assert providers.status_code == rooms.status_code == session_types.status_code == 200
    assert [p["display_name"] for p in providers.json()] == ["Dr. Ada Stone"]
    assert [r["name"] for r in rooms.json()] == ["Chair A"]
    [session_type] = session_types.json()
    assert session_type["id"] == infusion.pk
    assert session_type["duration_minutes"] == 45
    assert session_type["monitoring_minutes"] == 60
    assert session_type["occupies_minutes"] == 105
    assert session_type["needs_chair"] is True
    assert session_type["needs_driver"] is True
    assert session_type["fasting_hours"] == 6


@pytest.mark.parametrize("path", ["/api/v1/providers/", "/api/v1/rooms/", "/api/v1/session-types/"])
def test_reference_lists_need_a_staff_role(
    api: APIClient, api_as: Callable[[AbstractBaseUser], APIClient], clinician: User, path: str
) -> None:
    assert api.get(path).status_code == 401
    assert api_as(UserFactory(username="norole")).get(path).status_code == 403
    assert api_as(clinician).get(path).status_code == 200
    assert api_as(clinician).post(path, {}).status_code == 403  # read-only: no action to allow
