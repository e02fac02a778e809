"""A patient's replies to check-ins, through the signed webhook: scored, asked again once, or passed to staff."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from clinic.checkins.models import Alert, CheckIn, CheckInAnswer
from clinic.checkins.services import checkins_start_for
from clinic.messaging.models import InboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, SessionType
from clinic.todos.models import StaffTask
from tests.factories import completed_session
from tests.support.clock import local
from tests.support.sandbox import last_inbound, patient_texts, provider_accepts

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(infusion: SessionType, patient: Patient) -> Appointment:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)
    return appointment


def asked(appointment: Appointment, step_key: str) -> CheckIn:
    """The check-in's question went out (at the current, travelled, time)."""
    check_in = CheckIn.objects.select_related("message").get(appointment=appointment, step_key=step_key)
    assert check_in.message is not None
    provider_accepts(check_in.message)
    return check_in


def test_a_mood_answer_is_scored_stored_with_its_words_and_thanked(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        check_in = asked(completed, "mood:d1")
        reply = patient_texts(client, "I'm a 7 today")

    assert "Thank you, Robin" in reply
    answer = CheckInAnswer.objects.get()
    assert (answer.check_in_id, answer.score, answer.raw_text) == (check_in.pk, 7, "I'm a 7 today")
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.ANSWERED
    assert last_inbound().route == InboundMessage.Route.CHECKIN
    assert not Alert.objects.exists()


def test_a_reply_with_no_checkin_waiting_goes_to_the_inbox(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 8, 9, 0), tick=False):
        patient_texts(client, "7")  # the question has not been sent yet
    assert last_inbound().route == InboundMessage.Route.INBOX
    assert not CheckInAnswer.objects.exists()


def test_the_answer_goes_to_the_most_recently_sent_checkin_within_the_window(
    client: Client, completed: Appointment, settings: object
) -> None:
    with time_machine.travel(local(2026, 12, 7, 19, 0), tick=False):
        home = asked(completed, "home_safe:d0")
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        mood = asked(completed, "mood:d1")
        patient_texts(client, "6")
    assert CheckInAnswer.objects.get().check_in_id == mood.pk
    home.refresh_from_db()
    assert home.status == CheckIn.Status.PENDING

    # Three days later the home-safe question is outside the 48-hour window: "OK" is no answer to it.
    with time_machine.travel(local(2026, 12, 10, 20, 0), tick=False):
        patient_texts(client, "OK")
    assert last_inbound().route == InboundMessage.Route.INBOX


def test_phq2_asks_its_two_questions_in_turn_and_a_positive_screen_opens_an_alert(
    client: Client, completed: Appointment
) -> None:
    with time_machine.travel(local(2026, 12, 14, 10, 0), tick=False):
        check_in = asked(completed, "phq2:d7")
        second_question = patient_texts(client, "2")
        thanks = patient_texts(client, "nearly every day")

    assert "felt down or hopeless" in second_question
    assert "988" in thanks and "care team" in thanks
    assert list(check_in.answers.order_by("question_index").values_list("question_index", "score")) == [(0, 2), (1, 3)]
    alert = Alert.objects.get()
    assert (alert.urgency, alert.reason, alert.detail) == ("elevated", "phq2_positive", "PHQ-2 total 5 (items 2, 3).")
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.ANSWERED


def test_an_unreadable_answer_gets_one_clarifying_question_then_goes_to_a_clinician(
    client: Client, completed: Appointment
) -> None:
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        check_in = asked(completed, "mood:d1")
        clarify = patient_texts(client, "meh, better than yesterday")
        to_staff = patient_texts(client, "honestly hard to say")

    assert "one number from 0 (worst) to 10 (best)" in clarify
    assert "care team will read your message" in to_staff
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.UNREADABLE
    assert list(check_in.answers.values_list("raw_text", "score")) == [
        ("meh, better than yesterday", None),
        ("honestly hard to say", None),
    ]
    task = StaffTask.objects.get()
    assert (task.kind, task.is_clinical, task.patient_id) == (
        StaffTask.Kind.UNPARSED_ANSWER,
        True,
        completed.patient_id,
    )
    assert "honestly" not in task.detail  # never the patient's words


def test_a_clarified_answer_is_scored(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        check_in = asked(completed, "mood:d1")
        patient_texts(client, "so-so")
        patient_texts(client, "ok fine, five")
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.ANSWERED
    assert check_in.answers.get(score__isnull=False).score == 5


@pytest.mark.parametrize(("text", "score", "reason"), [("2", 2, "low_mood"), ("3/10", 3, "low_mood")])
def test_a_low_mood_opens_an_elevated_alert_and_the_reply_names_988(
    client: Client, completed: Appointment, text: str, score: int, reason: str
) -> None:
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        asked(completed, "mood:d1")
        reply = patient_texts(client, text)
    assert "988" in reply
    alert = Alert.objects.get()
    assert (alert.urgency, alert.reason, alert.answer.score if alert.answer else None) == ("elevated", reason, score)
    assert alert.notify_count == 0  # elevated alerts wait for a clinician in the list; nobody is paged


def test_a_sharp_drop_from_previous_answers_opens_an_alert(
    client: Client, infusion: SessionType, patient: Patient
) -> None:
    days = [local(2026, 12, 1, 11), local(2026, 12, 5, 11), local(2026, 12, 9, 11)]
    for ended, answer in zip(days, ["8", "9", "4"], strict=True):
        with time_machine.travel(ended + datetime.timedelta(days=1), tick=False):
            appointment = completed_session(patient, infusion, ends_at=ended)
            checkins_start_for(appointment=appointment)
            asked(appointment, "mood:d1")
            patient_texts(client, answer)
    alert = Alert.objects.get()
    assert alert.reason == Alert.Reason.SHARP_DROP
    assert alert.detail == "Mood 4/10, down from an average of 8.5. Previous: 8, 9."


def test_not_home_safe_opens_an_alert_and_ok_does_not(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 7, 19, 0), tick=False):
        asked(completed, "home_safe:d0")
        reply = patient_texts(client, "no, can someone call me")
    assert "call you soon" in reply and "911" in reply
    assert Alert.objects.get().reason == Alert.Reason.NOT_HOME_SAFE


def test_home_safe_ok_is_thanked_with_the_no_driving_reminder(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 7, 19, 0), tick=False):
        asked(completed, "home_safe:d0")
        reply = patient_texts(client, "ok")
    assert "glad you are home" in reply and "do not drive until tomorrow" in reply
    assert not Alert.objects.exists()


def test_crisis_language_in_an_answer_is_a_crisis_first(client: Client, completed: Appointment) -> None:
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        asked(completed, "mood:d1")
        reply = patient_texts(client, "2. I want to die")
    assert "988" in reply and "911" in reply
    assert last_inbound().route == InboundMessage.Route.CRISIS
    assert Alert.objects.get().urgency == Alert.Urgency.URGENT


def test_yes_to_home_safe_answers_the_check_in_not_an_appointment_confirmation(
    client: Client, completed: Appointment
) -> None:
    with time_machine.travel(local(2026, 12, 7, 19, 0), tick=False):
        check_in = asked(completed, "home_safe:d0")
        reply = patient_texts(client, "Yes")
    assert "glad you are home" in reply
    assert last_inbound().route == InboundMessage.Route.CHECKIN
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.ANSWERED
