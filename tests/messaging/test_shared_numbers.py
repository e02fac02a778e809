"""Two patients with one phone (a couple, a parent and child): a text from it names neither of them."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.checkins.models import Alert, CheckIn, CheckInAnswer
from clinic.checkins.services import checkins_start_for
from clinic.core.models import Clinic
from clinic.messaging.models import InboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import Booking, appointment_book
from clinic.todos.models import StaffTask
from tests.factories import (
    ClinicFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SessionTypeFactory,
    completed_session,
)
from tests.support.clock import NY
from tests.support.phones import PHONE
from tests.support.sandbox import SMS_PATH, inbound_params, post_signed, provider_accepts

pytestmark = pytest.mark.django_db
ApiAs = Callable[[AbstractBaseUser], APIClient]
NOW = datetime.datetime(2026, 12, 7, 12, tzinfo=NY)


@pytest.fixture
def family() -> tuple[Patient, Patient]:
    clinic = ClinicFactory(on_call_phone="+16175550199")
    RoomFactory(clinic=clinic)
    provider = ProviderFactory(clinic=clinic)
    parent = PatientFactory(first_name="Maria", last_name="Lopez", phone=PHONE)
    child = PatientFactory(first_name="Ana", last_name="Lopez", phone=PHONE)
    with time_machine.travel(NOW, tick=False):
        for n, patient in enumerate((parent, child)):
            appointment_book(
                actor=Actor(user=None),
                booking=Booking(
                    patient=patient,
                    provider=provider,
                    session_type=SessionTypeFactory(clinic=clinic),
                    starts_at=datetime.datetime(2026, 12, 9, 10 + 3 * n, tzinfo=NY),
                ),
            )
    return parent, child


def text(body: str, sid: str) -> str:
    with time_machine.travel(NOW, tick=False):
        response = post_signed(Client(), SMS_PATH, inbound_params(body, sid=sid, from_number=PHONE))
    assert response.status_code == 200
    return response.content.decode()


def test_a_text_from_a_shared_number_is_recorded_as_shared_not_given_to_the_newest_patient(
    family: tuple[Patient, Patient],
) -> None:
    text("Can we move our visits?", "SM" + "1" * 32)
    message = InboundMessage.objects.get()
    assert message.patient is None and message.shared_number is True


@pytest.mark.parametrize("word", ["C", "R", "RIDE"])
def test_a_reply_about_a_visit_asks_whose_visit_instead_of_acting(family: tuple[Patient, Patient], word: str) -> None:
    answer = text(word, "SM" + "2" * 32)

    assert "more than one patient" in answer
    assert not Appointment.objects.filter(status=Appointment.Status.CONFIRMED).exists()
    assert not Appointment.objects.filter(driver_confirmed=True).exists()
    assert not StaffTask.objects.exists()
    for name in ("Maria", "Ana", "Lopez"):
        assert name not in answer


def test_a_crisis_alert_from_a_shared_number_lists_every_patient_with_it(
    family: tuple[Patient, Patient], clinician: AbstractBaseUser, api_as: ApiAs
) -> None:
    answer = text("I want to end my life", "SM" + "3" * 32)
    assert "988" in answer

    alert = Alert.objects.get()
    assert alert.patient is None  # never a guess
    body = api_as(clinician).get(f"/api/v1/alerts/{alert.pk}/").json()
    listed = body["number_shared_by"]
    assert {(p["first_name"], p["phone"]) for p in listed} == {("Maria", PHONE), ("Ana", PHONE)}
    # Either of them may have written it: both have their automated check-ins held.
    assert body["checkins_on_hold"] is True
    assert [(h["patient"]["first_name"], h["is_open"]) for h in body["checkin_holds"]] == [
        ("Maria", True),
        ("Ana", True),
    ]

    client = Client()
    client.force_login(clinician)
    page = client.get(f"/admin/checkins/alert/{alert.pk}/change/").content.decode()
    assert "Number shared by 2 patients" in page and "Maria" in page and "Ana" in page
    assert "held for 2 patients sharing the number" in page


def test_a_number_only_one_patient_has_still_names_that_patient(family: tuple[Patient, Patient]) -> None:
    Patient.objects.filter(first_name="Ana").update(phone="+16175550143")
    answer = text("C", "SM" + "4" * 32)
    assert "you are confirmed" in answer
    assert InboundMessage.objects.get().patient == Patient.objects.get(first_name="Maria")


# --- Check-in answers ------------------------------------------------------------------------------

ASKED_AT = datetime.datetime(2026, 12, 8, 10, tzinfo=NY)
ANSWERED_AT = datetime.datetime(2026, 12, 8, 10, 30, tzinfo=NY)


def mood_asked(*patients: Patient) -> list[CheckIn]:
    """Each patient had a session on Monday; their day-1 mood question went out on Tuesday at 10:00."""
    session_type = SessionTypeFactory(clinic=Clinic.objects.get())
    asked = []
    for patient in patients:
        with time_machine.travel(NOW, tick=False):
            appointment = completed_session(patient, session_type, ends_at=NOW - datetime.timedelta(minutes=15))
            checkins_start_for(appointment=appointment)
        check_in = CheckIn.objects.select_related("message").get(appointment=appointment, step_key="mood:d1")
        assert check_in.message is not None
        with time_machine.travel(ASKED_AT, tick=False):
            provider_accepts(check_in.message)
        asked.append(check_in)
    return asked


def answer(body: str, sid: str) -> str:
    with time_machine.travel(ANSWERED_AT, tick=False):
        response = post_signed(Client(), SMS_PATH, inbound_params(body, sid=sid, from_number=PHONE))
    assert response.status_code == 200
    return response.content.decode()


def test_an_answer_that_could_be_either_patients_is_attached_to_neither(family: tuple[Patient, Patient]) -> None:
    parent_checkin, child_checkin = mood_asked(*family)

    reply = answer("2", "SM" + "5" * 32)

    assert "more than one patient" in reply and "988" in reply
    for name in ("Maria", "Ana", "Lopez"):
        assert name not in reply
    assert not CheckInAnswer.objects.exists()
    assert not Alert.objects.exists()
    for check_in in (parent_checkin, child_checkin):
        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.PENDING  # still followed up, then passed to staff if unanswered
    message = InboundMessage.objects.get()
    # Kept in the inbox for a clinician (a check-in answer's words are not front desk's to read).
    assert (message.route, message.patient, message.handled_at) == (InboundMessage.Route.CHECKIN, None, None)
    assert "not attached" in message.route_detail


def test_an_answer_when_only_one_patient_on_the_number_was_asked_is_that_patients(
    family: tuple[Patient, Patient],
) -> None:
    _, child = family
    [child_checkin] = mood_asked(child)

    reply = answer("2", "SM" + "6" * 32)

    assert "Ana" in reply
    recorded = CheckInAnswer.objects.get()
    assert (recorded.check_in_id, recorded.score) == (child_checkin.pk, 2)
    assert Alert.objects.get().patient == child  # a low mood still reaches a clinician
    message = InboundMessage.objects.get()
    assert (message.route, message.patient) == (InboundMessage.Route.CHECKIN, None)
    assert "only one with a check-in waiting" in message.route_detail


def test_crisis_words_in_an_answer_from_a_shared_number_still_alert_first(family: tuple[Patient, Patient]) -> None:
    mood_asked(*family)

    reply = answer("2, I want to end my life", "SM" + "7" * 32)

    assert "988" in reply and "911" in reply
    assert Alert.objects.get(reason=Alert.Reason.CRISIS).urgency == Alert.Urgency.URGENT
    assert InboundMessage.objects.get().route == InboundMessage.Route.CRISIS
    assert not CheckInAnswer.objects.exists()
