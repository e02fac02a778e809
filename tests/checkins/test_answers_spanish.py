"""A Spanish-speaking patient answers check-ins in Spanish, through the signed webhook: scored, answered in
Spanish (the clinic's own Spanish wording, tests/support/languages.py), and never mistaken for another route."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from clinic.accounts.actor import Actor
from clinic.checkins.models import Alert, CheckIn, CheckInAnswer
from clinic.checkins.questions import checkin_text_values
from clinic.checkins.services import checkins_start_for
from clinic.messaging.models import InboundMessage
from clinic.messaging.texts import text_render
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, SessionType
from clinic.scheduling.services import Booking, appointment_book
from clinic.todos.models import StaffTask
from clinic.visitlinks.models import VisitLink
from tests.factories import ProviderFactory, RoomFactory, completed_session
from tests.support.clock import local
from tests.support.languages import MARK, spanish_wordings
from tests.support.sandbox import last_inbound, patient_texts, provider_accepts

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(infusion: SessionType, patient: Patient) -> Appointment:
    """Robin, who reads Spanish, had a session on Monday, and has the next one booked for Friday."""
    Patient.objects.filter(pk=patient.pk).update(language="es")
    patient.refresh_from_db()
    spanish_wordings("checkin_home_safe_thanks", "checkin_home_not_safe", "checkin_thanks", "checkin_thanks_concern")
    RoomFactory(clinic=infusion.clinic)
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)
        appointment_book(
            actor=Actor(user=None),
            booking=Booking(
                patient=patient,
                provider=ProviderFactory(clinic=infusion.clinic),
                session_type=infusion,
                starts_at=local(2026, 12, 11, 10),
            ),
        )
    return appointment


def asked(appointment: Appointment, step_key: str) -> CheckIn:
    check_in = CheckIn.objects.select_related("message").get(appointment=appointment, step_key=step_key)
    assert check_in.message is not None
    provider_accepts(check_in.message)
    return check_in


def next_session() -> Appointment:
    return Appointment.objects.get(status__in=(Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED))


@pytest.mark.parametrize("body", ["SI", "Sí", "sí, ya llegué", "estoy en casa", "ya llegue gracias"])
def test_si_to_home_safe_answers_the_check_in_never_confirms_the_next_session(
    client: Client, completed: Appointment, body: str
) -> None:
    at = local(2026, 12, 7, 19, 0)
    with time_machine.travel(at, tick=False):
        check_in = asked(completed, "home_safe:d0")
        reply = patient_texts(client, body)

    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.ANSWERED
    assert CheckInAnswer.objects.get().score == 1
    message = last_inbound()
    assert message.route == InboundMessage.Route.CHECKIN and message.language == "es"
    assert message.reply == text_render("checkin_home_safe_thanks", language="es", **checkin_text_values(check_in))
    assert MARK in reply
    assert next_session().status == Appointment.Status.SCHEDULED
    assert not Alert.objects.exists()


@pytest.mark.parametrize("body", ["llámenme", "no me siento bien", "todavía no me siento bien, llámenme"])
def test_not_home_safe_in_spanish_opens_the_alert(client: Client, completed: Appointment, body: str) -> None:
    with time_machine.travel(local(2026, 12, 7, 19, 0), tick=False):
        check_in = asked(completed, "home_safe:d0")
        patient_texts(client, body)
    assert Alert.objects.get().reason == Alert.Reason.NOT_HOME_SAFE
    assert last_inbound().reply == text_render("checkin_home_not_safe", language="es", **checkin_text_values(check_in))


def test_todavia_no_asks_again_and_waits(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 7, 19, 0), tick=False):
        check_in = asked(completed, "home_safe:d0")
        patient_texts(client, "todavía no, voy en camino")
    check_in.refresh_from_db()
    assert check_in.status != CheckIn.Status.ANSWERED
    assert CheckInAnswer.objects.get().score is None
    assert not Alert.objects.exists()


def test_a_mood_in_spanish_words_is_scored(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        check_in = asked(completed, "mood:d1")
        patient_texts(client, "me siento como un siete de diez")
    answer = CheckInAnswer.objects.get()
    assert (answer.score, answer.raw_text) == (7, "me siento como un siete de diez")
    assert last_inbound().reply == text_render("checkin_thanks", language="es", **checkin_text_values(check_in))


def test_a_low_mood_with_a_request_to_move_the_visit_is_the_check_in_answer_first(
    client: Client, completed: Appointment
) -> None:
    """A score sent while a check-in waits is never lost to the reschedule route (which comes after)."""
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        asked(completed, "mood:d1")
        patient_texts(client, "3, covid otra vez. necesito cambiar la cita")
    assert CheckInAnswer.objects.get().score == 3
    assert Alert.objects.get().reason == Alert.Reason.LOW_MOOD
    assert last_inbound().route == InboundMessage.Route.CHECKIN
    assert not StaffTask.objects.filter(kind=StaffTask.Kind.RESCHEDULE_REQUEST).exists()


def test_phq2_in_the_scales_spanish_words(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 14, 10, 0), tick=False):
        check_in = asked(completed, "phq2:d7")
        patient_texts(client, "más de la mitad de los días")
        patient_texts(client, "casi todos los dias")
    assert list(check_in.answers.order_by("question_index").values_list("score", flat=True)) == [2, 3]
    assert Alert.objects.get().reason == Alert.Reason.PHQ2_POSITIVE
    assert last_inbound().reply == text_render("checkin_thanks_concern", language="es", **checkin_text_values(check_in))


def test_a_free_text_request_to_move_the_visit_with_no_check_in_waiting_is_answered_with_its_link(
    client: Client, completed: Appointment
) -> None:
    with time_machine.travel(local(2026, 12, 8, 9, 0) + datetime.timedelta(minutes=1), tick=False):
        patient_texts(client, "necesito cambiar la cita del viernes")
    assert last_inbound().route == InboundMessage.Route.CONFIRMATION
    assert "/v/" in last_inbound().reply  # the next session's own link (clinic.visitlinks)
    assert VisitLink.objects.get(purpose=VisitLink.Purpose.REPLY).appointment_id == next_session().pk
    assert not StaffTask.objects.filter(kind=StaffTask.Kind.RESCHEDULE_REQUEST).exists()


@pytest.mark.parametrize("body", ["HELP", "AYUDA", "Ayuda!"])
def test_help_to_home_safe_is_read_as_not_home_safe_before_the_help_keyword(
    client: Client, completed: Appointment, body: str
) -> None:
    at = local(2026, 12, 7, 19, 0)
    with time_machine.travel(at, tick=False):
        check_in = asked(completed, "home_safe:d0")
        patient_texts(client, body)

    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.ANSWERED
    assert CheckInAnswer.objects.get().score == 0
    message = last_inbound()
    assert message.route == InboundMessage.Route.CHECKIN
    assert message.reply == text_render("checkin_home_not_safe", language="es", **checkin_text_values(check_in))
    assert Alert.objects.filter(patient=completed.patient).exists()  # a clinician is asked to call


def test_help_with_no_home_safe_question_waiting_gets_the_help_answer(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        asked(completed, "mood:d1")
        patient_texts(client, "AYUDA")

    assert last_inbound().route == InboundMessage.Route.HELP
    assert not CheckInAnswer.objects.exists()
