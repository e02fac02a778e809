"""What a patient does from the link: confirm, cancel (the location's window and policy), or move the session to
another real free time (same session type, provider and chair rules, a series' spacing), through the same
services as the staff API, which audit it as the patient's and re-plan the reminders."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.messaging.models import OutboundMessage
from clinic.scheduling.availability import availability_for
from clinic.scheduling.models import Appointment, Series
from clinic.scheduling.services import Booking, appointment_book
from clinic.todos.models import StaffTask
from clinic.visitlinks.models import VisitLinkPolicy
from tests.factories import PatientFactory, ProviderFactory, SeriesPlanFactory
from tests.support.clock import local
from tests.support.phones import CLINIC_PHONE

from .factories import NOW, VISIT_AT, Place, link_to, place_build, stamp, visit_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday_noon() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def place() -> Place:
    return place_build()


@pytest.fixture
def visit(place: Place) -> Appointment:
    return visit_book(place, first_name="Robin")


def offered(client: Client, path: str, week: int = 0) -> list[datetime.datetime]:
    """The times the page offers, as the radio buttons' values."""
    page = client.get(f"{path}/times?week={week}").content.decode()
    return [
        datetime.datetime.fromtimestamp(int(v), tz=datetime.UTC)
        for v in re.findall(r'name="starts_at" value="(\d+)"', page)
    ]


def move(client: Client, path: str, to: datetime.datetime, seen: datetime.datetime = VISIT_AT):
    return client.post(f"{path}/move", {"starts_at": stamp(to), "seen": stamp(seen)})


def scheduled_reminders(appointment: Appointment) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(
            related_type="scheduling.appointment",
            related_id__startswith=f"{appointment.pk}@",
            status=OutboundMessage.Status.SCHEDULED,
        ).order_by("send_after")
    )


def test_confirming_uses_the_staff_service_and_the_audit_names_the_patient_by_link(visit: Appointment) -> None:
    path = link_to(visit)
    client = Client(REMOTE_ADDR="203.0.113.9")
    done = client.post(f"{path}/confirm")
    assert done.status_code == 303 and done["Location"] == path
    assert "Thank you: your visit is confirmed." in client.get(path).content.decode()
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CONFIRMED
    event = AuditEvent.objects.filter(target_type="scheduling.Appointment", target_id=str(visit.pk)).first()
    assert event is not None and event.actor is None and event.ip_address == "203.0.113.9"
    assert event.detail == "status scheduled -> confirmed (by the patient, by link)"
    assert client.post(f"{path}/confirm").status_code == 303  # a second tap changes nothing
    assert "You have confirmed this visit." in client.get(path).content.decode()


def test_cancelling_outside_the_window_asks_first_then_cancels_and_withdraws_the_reminders(visit: Appointment) -> None:
    VisitLinkPolicy.objects.create(
        clinic=visit.session_type.clinic, policy_text="Cancel 24 h ahead to avoid a $50 fee."
    )
    path = link_to(visit)
    assert scheduled_reminders(visit)
    ask = Client().get(f"{path}/cancel").content.decode()
    assert "Cancel this visit?" in ask and "Cancel 24 h ahead to avoid a $50 fee." in ask
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.SCHEDULED  # opening the page (a link scanner) cancels nothing

    assert Client().post(f"{path}/cancel").status_code == 303
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED
    assert visit.cancellation_reason == "Cancelled by the patient from their link"
    assert scheduled_reminders(visit) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_inside_the_window_the_page_asks_for_a_call_and_cancels_nothing(place: Place, language: str) -> None:
    visit = visit_book(place, local(2026, 12, 8, 10), first_name="Robin", language=language)  # tomorrow 10:00
    VisitLinkPolicy.objects.create(
        clinic=place.clinic,
        cancellation_window_hours=48,
        policy_text="Late cancellations are charged.",
        policy_translations={"es": "Las cancelaciones tardías se cobran."},
    )
    path = link_to(visit)
    page = Client().get(path).content.decode()
    expected = {
        "en": ("less than 48 hours away: to move or cancel it, please call us", "Late cancellations are charged."),
        "es": (
            "Faltan menos de 48 horas para su cita: para cambiarla o cancelarla",
            "Las cancelaciones tardías se cobran.",
        ),
    }[language]
    assert all(words in page for words in expected) and f"tel:{CLINIC_PHONE}" in page
    assert "Pick another time" not in page and "Elegir otra hora" not in page

    refused = Client().post(f"{path}/cancel")
    assert refused.status_code == 409 and CLINIC_PHONE in refused.content.decode()
    assert move(Client(), path, local(2026, 12, 11, 10), seen=visit.starts_at).status_code == 409
    visit.refresh_from_db()
    assert (visit.status, visit.starts_at) == (Appointment.Status.SCHEDULED, local(2026, 12, 8, 10))


def test_a_location_may_allow_late_cancelling_with_its_policy_as_a_note(place: Place) -> None:
    visit = visit_book(place, local(2026, 12, 8, 10))
    VisitLinkPolicy.objects.create(
        clinic=place.clinic, late_change=VisitLinkPolicy.LateChange.ALLOW, policy_text="A $50 late fee applies."
    )
    path = link_to(visit)
    ask = Client().get(f"{path}/cancel").content.decode()
    assert "this is a late cancellation" in ask and "A $50 late fee applies." in ask
    assert Client().post(f"{path}/cancel").status_code == 303
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED
    assert visit.cancellation_reason == "Cancelled by the patient from their link (late: within 24 h of the start)"


def test_other_times_are_the_real_free_times_of_the_same_provider_and_chairs(place: Place, visit: Appointment) -> None:
    # Friday 10:00 is taken by another patient of the same provider: never offered.
    visit_book(place, local(2026, 12, 11, 10))
    path = link_to(visit)
    times = offered(Client(), path)
    real = [
        slot.starts_at
        for slot in availability_for(
            session_type=place.infusion,
            provider=place.provider,
            date_from=NOW.date(),
            date_to=NOW.date() + datetime.timedelta(days=6),
            patient_id=visit.patient_id,
            exclude_appointment_id=visit.pk,
        )
        if slot.starts_at != VISIT_AT
    ]
    assert times == real and times  # the page offers exactly what the calendar says is free
    assert local(2026, 12, 11, 10) not in times and local(2026, 12, 11, 9, 30) not in times
    assert all(9 <= t.astimezone(local(2026, 1, 1).tzinfo).hour < 16 for t in times)  # inside working hours
    page = Client().get(f"{path}/times").content.decode()
    assert "<summary>Friday, December 11</summary>" in page and "1:00 PM ET" in page  # the location's zone, named


def test_moving_keeps_provider_and_a_treatment_chair_and_re_plans_the_reminders(
    place: Place, visit: Appointment
) -> None:
    chair_one, chair_two = place.chairs
    # At Friday 13:00 the session's own chair is taken by another provider's session: it moves to the other chair.
    other_provider = ProviderFactory(clinic=place.clinic)
    Appointment.objects.filter(pk=visit.pk).update(room=chair_one)
    target = local(2026, 12, 11, 13)
    appointment_book(
        actor=Actor(user=None),
        booking=Booking(
            patient=PatientFactory(),
            provider=other_provider,
            session_type=place.infusion,
            starts_at=target,
            room=chair_one,
        ),
    )
    path = link_to(visit)
    old_reminders = scheduled_reminders(visit)
    assert target in offered(Client(), path)

    patient = Client()
    done = move(patient, path, target)
    assert done.status_code == 303
    assert "Done: your visit is now on Friday, December 11 at 1:00 PM." in patient.get(path).content.decode()
    visit.refresh_from_db()
    assert (visit.starts_at, visit.provider, visit.room, visit.status) == (
        target,
        place.provider,
        chair_two,
        Appointment.Status.SCHEDULED,
    )
    for reminder in old_reminders:
        reminder.refresh_from_db()
        assert reminder.status == OutboundMessage.Status.CANCELLED
    new_reminders = scheduled_reminders(visit)
    assert new_reminders and all("Friday, December 11 at 1:00 PM" in r.body and "/v/" in r.body for r in new_reminders)
    event = AuditEvent.objects.filter(target_type="scheduling.Appointment", target_id=str(visit.pk)).first()
    assert event is not None and event.detail.endswith("(by the patient, by link)")


def test_a_time_the_page_does_not_offer_cannot_be_picked(place: Place, visit: Appointment) -> None:
    path = link_to(visit)
    for not_offered in (local(2026, 12, 12, 10), local(2026, 12, 10, 20), local(2027, 2, 1, 10), local(2026, 12, 7, 9)):
        response = move(Client(), path, not_offered)  # a Saturday, evening, beyond the horizon, the past
        assert response.status_code == 409 and "Sorry, that time was just taken." in response.content.decode()
    visit.refresh_from_db()
    assert visit.starts_at == VISIT_AT


def test_a_page_left_open_while_the_session_moved_changes_nothing(visit: Appointment) -> None:
    path = link_to(visit)
    first, second = local(2026, 12, 11, 10), local(2026, 12, 11, 14)
    patient = Client()
    assert move(patient, path, first).status_code == 303
    stale = move(patient, path, second)  # the second tab still shows Thursday 14:00
    assert stale.status_code == 303
    assert "Your visit was changed a moment ago" in patient.get(path).content.decode()
    visit.refresh_from_db()
    assert visit.starts_at == first


def test_a_series_session_is_offered_only_times_that_keep_the_spacing_or_goes_to_front_desk(place: Place) -> None:
    plan = SeriesPlanFactory(
        clinic=place.clinic, session_type=place.infusion, sessions=3, min_gap_hours=48, max_span_days=7
    )
    patient = PatientFactory(first_name="Robin")
    series = Series.objects.create(plan=plan, patient=patient)
    starts = [local(2026, 12, 8, 10), local(2026, 12, 10, 10), local(2026, 12, 14, 10)]
    sessions = [visit_book(place, moment, patient=patient) for moment in starts]
    Appointment.objects.filter(pk__in=[s.pk for s in sessions]).update(series=series)
    middle = sessions[1]
    path = link_to(middle)

    times = offered(Client(), path) + offered(Client(), path, week=1)
    assert times, "some times keep the spacing"
    assert all(abs(t - other) >= datetime.timedelta(hours=48) for t in times for other in (starts[0], starts[2]))
    assert "only times that keep the spacing" in Client().get(f"{path}/times").content.decode()

    # With neighbours two days either side and the whole series within four days, nothing fits: the patient
    # asks front desk to call.
    Appointment.objects.filter(pk=sessions[2].pk).update(
        starts_at=local(2026, 12, 12, 10), ends_at=local(2026, 12, 12, 11, 45)
    )
    type(plan).objects.filter(pk=plan.pk).update(max_span_days=4)
    assert offered(Client(), path) + offered(Client(), path, week=1) == []
    assert Client().post(f"{path}/call").status_code == 303
    task = StaffTask.objects.get(kind=StaffTask.Kind.RESCHEDULE_REQUEST)
    assert (task.patient, task.appointment) == (patient, middle)
