"""The admin's "Book a series" page: front desk proposes a plan's dates, then books them all or none.

"Now" is Tuesday 2026-12-01 08:00 in New York. Dr. Ada Stone works Monday to Friday 09:00-17:00 and
the clinic has one treatment chair, so a session taken in between is a real conflict.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, Series, SeriesPlan, SessionType
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import PatientFactory, SeriesPlanFactory, SessionTypeFactory, UserFactory
from tests.support.clock import NY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

BOOK = "/admin/scheduling/series/book/"


def local(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, tzinfo=NY)


@pytest.fixture
def plan(chair: Room) -> SeriesPlan:
    infusion = SessionTypeFactory(clinic=chair.clinic)
    return SeriesPlanFactory(session_type=infusion, name="IV induction", sessions=3, min_gap_hours=48, max_span_days=14)


@pytest.fixture
def patient() -> Patient:
    return PatientFactory(first_name="Maya", last_name="Reyes")


@pytest.fixture
def desk(front_desk: User) -> Client:
    client = Client()
    client.force_login(front_desk)
    return client


def choices(plan: SeriesPlan, patient: Patient, provider: Provider, **extra: str) -> dict[str, Any]:
    return {
        "plan": plan.pk,
        "patient": patient.pk,
        "provider": provider.pk,
        "first_day": "2026-12-07",
        "preferred_time": "10:00",
        **extra,
    }


def carried(page: Any) -> dict[str, Any]:
    """The hidden fields the proposal page sends back when "Book" is pressed."""
    html = page.content.decode()
    return {
        "session": re.findall(r'name="session" value="([^"]+)"', html),
        "proposed_for": re.search(r'name="proposed_for" value="([^"]*)"', html).group(1),  # type: ignore[union-attr]
    }


def test_front_desk_proposes_the_dates_then_books_the_whole_series(
    desk: Client, plan: SeriesPlan, patient: Patient, provider: Provider, front_desk: User
) -> None:
    assert 'href="/admin/scheduling/series/book/"' in desk.get("/admin/scheduling/series/").content.decode()
    assert desk.get(BOOK).status_code == 200

    proposal = desk.post(BOOK, {**choices(plan, patient, provider), "propose": "Propose dates"})

    assert proposal.status_code == 200
    text = proposal.content.decode()
    for shown in ("Mon 2026-12-07 10:00 EST", "Wed 2026-12-09 10:00 EST", "Fri 2026-12-11 10:00 EST"):
        assert shown in text
    assert 'value="Book these 3 sessions"' in text
    assert not Appointment.objects.exists()  # proposing writes nothing
    assert AuditEvent.objects.filter(
        actor=front_desk, action=AuditEvent.Action.VIEW, target_id=str(patient.pk), detail__contains="proposed"
    ).exists()

    booked = desk.post(BOOK, {**choices(plan, patient, provider), **carried(proposal), "book": "Book"})

    series = Series.objects.get()
    assert booked.status_code == 302
    assert booked["Location"] == f"/admin/scheduling/series/{series.pk}/change/"
    sessions = list(series.appointments.order_by("starts_at"))
    assert [(a.series_position, a.starts_at, a.status) for a in sessions] == [
        (1, local(7, 10), Appointment.Status.SCHEDULED),
        (2, local(9, 10), Appointment.Status.SCHEDULED),
        (3, local(11, 10), Appointment.Status.SCHEDULED),
    ]
    assert {a.created_by for a in sessions} == {front_desk}
    assert AuditEvent.objects.filter(actor=front_desk, action=AuditEvent.Action.CREATE, target_id=str(series.pk))
    page = desk.get(booked["Location"]).content.decode()
    assert "Booked 3 sessions of IV induction for Maya Reyes." in page
    assert "Wed 2026-12-09 10:00 EST" in page


def test_a_time_taken_after_the_proposal_books_nothing_and_new_dates_are_proposed(
    desk: Client, plan: SeriesPlan, patient: Patient, provider: Provider, chair: Room
) -> None:
    proposal = desk.post(BOOK, {**choices(plan, patient, provider), "propose": "Propose dates"})
    someone_else = appointment_book(
        actor=Actor(user=None),
        booking=Booking(
            patient=PatientFactory(),
            provider=provider,
            session_type=SessionType.objects.get(pk=plan.session_type_id),
            starts_at=local(9, 10),
        ),
    )

    refused = desk.post(BOOK, {**choices(plan, patient, provider), **carried(proposal), "book": "Book"})

    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Nothing was booked" in text and "already booked" in text
    assert "Wed 2026-12-09 10:00 EST" not in text  # the new proposal moves the second session
    assert not Series.objects.exists()
    assert list(Appointment.objects.all()) == [someone_else]


def test_choices_changed_after_the_proposal_are_not_booked(
    desk: Client, plan: SeriesPlan, patient: Patient, provider: Provider
) -> None:
    proposal = desk.post(BOOK, {**choices(plan, patient, provider), "propose": "Propose dates"})
    other = PatientFactory(first_name="Sam")

    refused = desk.post(BOOK, {**choices(plan, other, provider), **carried(proposal), "book": "Book"})

    assert refused.status_code == 400
    assert "The choices changed after the dates were proposed" in refused.content.decode()
    assert not Appointment.objects.exists()


def test_a_plan_that_does_not_fit_says_how_many_sessions_fit(
    desk: Client, plan: SeriesPlan, patient: Patient, provider: Provider
) -> None:
    SeriesPlan.objects.filter(pk=plan.pk).update(sessions=6, max_span_days=7)

    refused = desk.post(BOOK, {**choices(plan, patient, provider), "propose": "Propose dates"})

    assert refused.status_code == 400
    assert "Only 4 of the 6 sessions fit within 7 days of 2026-12-07" in refused.content.decode()
    assert 'name="book"' not in refused.content.decode()


def test_staff_who_may_not_book_see_no_link_and_are_refused(plan: SeriesPlan, patient: Patient) -> None:
    reader = UserFactory(username="reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_series"))
    client = Client()
    client.force_login(reader)

    assert "series/book/" not in client.get("/admin/scheduling/series/").content.decode()
    assert client.get(BOOK).status_code == 403
    assert Client().get(BOOK).status_code == 302  # signed out: to the login page
