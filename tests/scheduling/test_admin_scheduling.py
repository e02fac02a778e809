"""The scheduling back office: appointments booked and moved through the services, in clinic time.

The clinic is in America/New_York. "Now" is Tuesday 2026-12-01 08:00 local; sessions land on
Monday 2026-12-07 (EST, -05:00), when the provider works 09:00-17:00. Staff type local times.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.admin import helpers
from django.contrib.auth.models import User
from django.test import Client

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.checkins.models import CheckIn
from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, SessionType, TimeOff
from clinic.scheduling.series import SeriesSession, series_book
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import (
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SeriesPlanFactory,
    SessionTypeFactory,
)
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=NY)
CHANGELIST = "/admin/scheduling/appointment/"
ADD = "/admin/scheduling/appointment/add/"
Status = Appointment.Status


def monday(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, 7, hour, minute, tzinfo=NY)


@pytest.fixture(autouse=True)
def _frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def infusion(clinic: Clinic, chair: Room) -> SessionType:
    return SessionTypeFactory(clinic=clinic)


@pytest.fixture
def patient() -> Patient:
    return PatientFactory(first_name="Maya", last_name="Reyes", phone="+16175550199")


@pytest.fixture
def office(clinic_admin: User) -> Client:
    """The back office, signed in as a clinic admin (staff with the role's permissions, not a superuser)."""
    client = Client()
    client.force_login(clinic_admin)
    return client


def book(patient: Patient, provider: Provider, session_type: SessionType, starts_at: datetime.datetime) -> Appointment:
    return appointment_book(
        actor=Actor(user=None),
        booking=Booking(patient=patient, provider=provider, session_type=session_type, starts_at=starts_at),
    )


def add_form(patient: Patient, provider: Provider, session_type: SessionType, **extra: Any) -> dict[str, Any]:
    return {
        "patient": patient.pk,
        "provider": provider.pk,
        "session_type": session_type.pk,
        "room": "",
        "starts_at_0": "2026-12-07",
        "starts_at_1": "09:00:00",
        **extra,
    }


def errors_of(response: Any) -> str:
    return " ".join(str(error) for error in response.context["adminform"].form.errors.values())


def act(office: Client, action: str, *appointments: Appointment, **extra: Any) -> Any:
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [a.pk for a in appointments], "index": 0, **extra}
    return office.post(CHANGELIST, data)


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_local_times_and_finds_patients_by_name_or_phone(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    book(patient, provider, infusion, monday(9))
    book(PatientFactory(last_name="Other"), ProviderFactory(clinic=provider.clinic), infusion, monday(13))

    response = office.get(CHANGELIST)
    assert response.status_code == 200
    assert "Mon 2026-12-07 09:00 EST" in response.content.decode()

    assert office.get(CHANGELIST, {"q": "Reyes"}).context["cl"].result_count == 1
    assert office.get(CHANGELIST, {"q": "5550199"}).context["cl"].result_count == 1
    assert office.get(CHANGELIST, {"status__exact": "cancelled"}).context["cl"].result_count == 0
    assert (
        office.get(CHANGELIST, {"starts_at__day": "7", "starts_at__month": "12", "starts_at__year": "2026"}).status_code
        == 200
    )


# --- Booking through the add form ----------------------------------------------------------------


def test_the_add_form_books_through_the_service_in_clinic_time(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType, chair: Room, clinic_admin: User
) -> None:
    response = office.post(ADD, add_form(patient, provider, infusion))

    assert response.status_code == 302, errors_of(response)
    appointment = Appointment.objects.get()
    assert appointment.starts_at == monday(9)  # 09:00 typed is 09:00 in New York
    assert appointment.ends_at == monday(10, 45)
    assert appointment.room == chair  # the first free chair, as the service picks
    assert appointment.created_by == clinic_admin
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, target_id=str(appointment.pk), detail="booked", actor=clinic_admin
    ).exists()


def test_the_add_form_refuses_a_conflicting_booking_with_a_form_error(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType, chair_b: Room
) -> None:
    book(PatientFactory(), provider, infusion, monday(9))

    response = office.post(ADD, add_form(patient, provider, infusion, starts_at_1="09:30:00"))

    assert response.status_code == 200
    assert "Dr. Ada Stone is already booked from 2026-12-07 09:00" in errors_of(response)
    assert Appointment.objects.count() == 1


def test_the_add_form_puts_a_rule_on_its_field(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType, clinic: Clinic
) -> None:
    late = office.post(ADD, add_form(patient, provider, infusion, starts_at_1="20:00:00"))
    assert late.status_code == 200
    assert "does not work then" in str(late.context["adminform"].form.errors["starts_at"])

    desk = RoomFactory(clinic=clinic, name="Office 1", is_treatment_chair=False)
    wrong_room = office.post(ADD, add_form(patient, provider, infusion, room=desk.pk))
    assert "treatment chair" in str(wrong_room.context["adminform"].form.errors["room"])
    assert not Appointment.objects.exists()


def test_a_rejected_rehearsal_leaves_no_trace(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    events = AuditEvent.objects.count()

    office.post(ADD, add_form(patient, provider, infusion, starts_at_1="20:00:00"))

    assert not Appointment.objects.exists()
    assert AuditEvent.objects.count() == events


# --- Moving a session through the change form ----------------------------------------------------


def change_form(appointment: Appointment, **extra: Any) -> dict[str, Any]:
    return {
        "provider": appointment.provider_id,
        "room": appointment.room_id or "",
        "starts_at_0": "2026-12-07",
        "starts_at_1": "09:00:00",
        **extra,
    }


def test_the_change_form_reschedules_through_the_service(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))
    url = f"{CHANGELIST}{appointment.pk}/change/"
    assert "2026-12-07" in office.get(url).content.decode()

    response = office.post(url, change_form(appointment, starts_at_1="11:00:00"))

    assert response.status_code == 302, errors_of(response)
    appointment.refresh_from_db()
    assert appointment.starts_at == monday(11)
    assert AuditEvent.objects.filter(target_id=str(appointment.pk), detail__startswith="rescheduled").count() == 1


def test_the_change_form_refuses_a_taken_time(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType, chair_b: Room
) -> None:
    appointment = book(patient, provider, infusion, monday(9))
    book(PatientFactory(), provider, infusion, monday(13))

    response = office.post(f"{CHANGELIST}{appointment.pk}/change/", change_form(appointment, starts_at_1="13:30:00"))

    assert response.status_code == 200
    assert "already booked" in errors_of(response)
    appointment.refresh_from_db()
    assert appointment.starts_at == monday(9)


def test_a_cancelled_session_cannot_be_edited_or_deleted(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))
    act(office, "cancel_appointments", appointment, confirmed="yes", reason="Asked to")
    url = f"{CHANGELIST}{appointment.pk}/change/"

    page = office.get(url)
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # everything is read-only now
    assert office.post(url, change_form(appointment, starts_at_1="11:00:00")).status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at) == (Status.CANCELLED, monday(9))
    assert office.get(f"{CHANGELIST}{appointment.pk}/delete/").status_code == 403


def test_opening_a_session_in_the_admin_is_audited(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType, clinic_admin: User
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    office.get(f"{CHANGELIST}{appointment.pk}/change/")

    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, target_id=str(appointment.pk), actor=clinic_admin
    ).exists()


# --- Actions -------------------------------------------------------------------------------------


def test_check_in_and_complete_actions_move_sessions_and_report_refusals(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType, chair_b: Room
) -> None:
    first = book(patient, provider, infusion, monday(9))
    second = book(PatientFactory(), ProviderFactory(clinic=provider.clinic), infusion, monday(9))

    with time_machine.travel(monday(8, 40), tick=False):  # the morning of the sessions
        assert act(office, "check_in", first, second).status_code == 302
    assert set(Appointment.objects.values_list("status", flat=True)) == {Status.CHECKED_IN}

    with time_machine.travel(monday(10, 50), tick=False):
        act(office, "complete", first)
        first.refresh_from_db()
        assert first.status == Status.COMPLETED

        response = act(office, "check_in", first)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("cannot become checked in" in message for message in messages)


def test_the_admin_refuses_a_check_in_before_the_day_and_a_completion_before_the_start(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    # The Sunday before: too early to check in (nothing changes, and the admin says why).
    with time_machine.travel(datetime.datetime(2026, 12, 6, 15, tzinfo=NY), tick=False):
        response = act(office, "check_in", appointment)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("only be checked in on its day" in message and "2026-12-07" in message for message in messages)
    appointment.refresh_from_db()
    assert appointment.status == Status.SCHEDULED

    with time_machine.travel(monday(8, 50), tick=False):
        act(office, "check_in", appointment)
        response = act(office, "complete", appointment)  # ten minutes before the start
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("cannot be completed before it starts" in message for message in messages)
    appointment.refresh_from_db()
    assert appointment.status == Status.CHECKED_IN
    assert not CheckIn.objects.filter(appointment=appointment).exists()


def test_mark_no_show_only_after_the_start(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    act(office, "mark_no_show", appointment)
    appointment.refresh_from_db()
    assert appointment.status == Status.SCHEDULED

    with time_machine.travel(monday(9, 45), tick=False):
        act(office, "mark_no_show", appointment)
    appointment.refresh_from_db()
    assert appointment.status == Status.NO_SHOW


def test_cancel_asks_for_a_reason_on_a_confirmation_page_first(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    appointment = book(patient, provider, infusion, monday(9))

    page = act(office, "cancel_appointments", appointment)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="reason"' in text
    assert "Mon 2026-12-07 09:00 EST" in text
    appointment.refresh_from_db()
    assert appointment.status == Status.SCHEDULED

    no_reason = office.post(
        CHANGELIST,
        {"action": "cancel_appointments", helpers.ACTION_CHECKBOX_NAME: [appointment.pk], "confirmed": "yes"},
    )
    assert no_reason.status_code == 200
    assert "This field is required" in no_reason.content.decode()

    done = office.post(
        CHANGELIST,
        {
            "action": "cancel_appointments",
            helpers.ACTION_CHECKBOX_NAME: [appointment.pk],
            "confirmed": "yes",
            "reason": "Patient is unwell",
        },
    )
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason) == (Status.CANCELLED, "Patient is unwell")


# --- Providers, plans and series -----------------------------------------------------------------


def test_provider_admin_edits_working_hours_and_time_off_in_clinic_time(office: Client, clinic: Clinic) -> None:
    provider = ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone", hours=[])
    url = f"/admin/scheduling/provider/{provider.pk}/change/"
    assert office.get(url).status_code == 200

    response = office.post(
        url,
        {
            "display_name": "Dr. Ada Stone",
            "credentials": "MD",
            "user": provider.user_id,
            "clinic": clinic.pk,
            "is_active": "on",
            "working_hours-TOTAL_FORMS": "1",
            "working_hours-INITIAL_FORMS": "0",
            "working_hours-0-weekday": "0",
            "working_hours-0-starts": "08:00",
            "working_hours-0-ends": "12:00",
            "time_off-TOTAL_FORMS": "1",
            "time_off-INITIAL_FORMS": "0",
            "time_off-0-starts_at_0": "2026-12-24",
            "time_off-0-starts_at_1": "00:00:00",
            "time_off-0-ends_at_0": "2026-12-26",
            "time_off-0-ends_at_1": "00:00:00",
            "time_off-0-reason": "Holidays",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(provider.working_hours.values_list("weekday", "starts", "ends")) == [
        (0, datetime.time(8), datetime.time(12))
    ]
    time_off = TimeOff.objects.get(provider=provider)
    assert time_off.starts_at == datetime.datetime(2026, 12, 24, tzinfo=NY)


def test_series_plans_are_listed_in_the_admin(office: Client, infusion: SessionType) -> None:
    SeriesPlanFactory(session_type=infusion)

    response = office.get("/admin/scheduling/seriesplan/")

    assert response.status_code == 200
    assert "IV induction" in response.content.decode()


def test_a_series_shows_its_sessions_read_only(
    office: Client, patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    plan = SeriesPlanFactory(session_type=infusion, sessions=2)
    series, _ = series_book(
        actor=Actor(user=None),
        plan=plan,
        patient=patient,
        provider=provider,
        sessions=[SeriesSession(starts_at=monday(9)), SeriesSession(starts_at=monday(9) + datetime.timedelta(days=2))],
    )

    assert "1" in office.get("/admin/scheduling/series/").content.decode()
    page = office.get(f"/admin/scheduling/series/{series.pk}/change/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Mon 2026-12-07 09:00 EST" in text
    assert "Wed 2026-12-09 09:00 EST" in text
    assert office.get("/admin/scheduling/series/add/").status_code == 403
