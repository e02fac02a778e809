"""The link and its page: one question per screen, partial answers kept, single use, no oracle for guesses,
expiry on a moved clock, another patient's link, item 9 to the urgent alert at once, no token in any log."""

from __future__ import annotations

import datetime
import logging
import re
import secrets

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.checkins.models import Alert
from clinic.core.models import Clinic
from clinic.measures.answers import assignment_submit
from clinic.measures.models import QuestionnaireAssignment
from clinic.measures.services import assignment_send_now
from clinic.messaging.models import OutboundMessage
from clinic.patients.events import patient_language_changed
from clinic.patients.models import Patient
from tests.factories import PatientFactory
from tests.measures.booking import token_of
from tests.support.clock import local
from tests.support.phones import CLINIC_PHONE, ON_CALL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic")]

NOW = local(2026, 12, 7, 12)
# What differs by visitor (the language switch's CSRF token) and by path (its "next", the path as sent).
VISITOR_PARTS = re.compile(r'name="(csrfmiddlewaretoken|next)" (type="hidden" )?value="[^"]*"')
Status = QuestionnaireAssignment.Status


@pytest.fixture(autouse=True)
def monday_noon() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def send(patient: Patient, instrument: str) -> tuple[QuestionnaireAssignment, str]:
    assignment = assignment_send_now(actor=Actor(user=None), patient=patient, instrument=instrument)
    return assignment, token_of(assignment)


def answer(client: Client, token: str, item: str, value: object) -> object:
    """Answer question `item` ("gad7-3" is question 3) as the page's button does."""
    return client.post(f"/q/{token}", {"item": item.rsplit("-", 1)[-1], "value": value})


def test_one_question_per_screen_resumes_after_closing_and_sends_once(patient: Patient) -> None:
    assignment, token = send(patient, "gad7")
    phone = Client()

    first = phone.get(f"/q/{token}")
    assert first.status_code == 200
    page = first.content.decode()
    assert "Question 1 of 7" in page and "Feeling nervous, anxious, or on edge" in page
    # Nothing names the instrument or the patient: not the page, not its form.
    for never in ("gad", "anxiety", patient.first_name, patient.last_name, patient.phone):
        assert never.lower() not in page.lower()
    response = answer(phone, token, "gad7-1", 2)
    assert (response.status_code, response["Location"]) == (303, f"/q/{token}?q=2")
    answer(phone, token, "gad7-2", 1)
    answer(phone, token, "gad7-3", 3)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.answers) == (Status.IN_PROGRESS, {"gad7-1": 2, "gad7-2": 1, "gad7-3": 3})

    # Closed and opened again (even on another device): it resumes at the first question not answered.
    later = Client().get(f"/q/{token}").content.decode()
    assert "Question 4 of 7" in later
    # Back shows the answer given, which can be changed.
    back = phone.get(f"/q/{token}?q=3").content.decode()
    assert 'value="3" aria-pressed="true"' in back
    answer(phone, token, "gad7-3", 0)
    for item in range(4, 8):
        response = answer(phone, token, f"gad7-{item}", 1)
    assert response["Location"] == f"/q/{token}?q=review"
    review = phone.get(f"/q/{token}?q=review").content.decode()
    assert "Check your answers" in review and "Send my answers" in review

    sent = phone.post(f"/q/{token}", {"action": "submit"})
    assert sent.status_code == 200 and "Your answers were sent" in sent.content.decode()
    assignment.refresh_from_db()
    assert (assignment.status, assignment.total, assignment.band) == (Status.COMPLETED, 7, "mild")

    # A second device (or the same one again) cannot reuse the link: not to read, not to answer, not to send.
    second_device = Client()
    for response in (
        second_device.get(f"/q/{token}"),
        answer(second_device, token, "gad7-1", 3),
        second_device.post(f"/q/{token}", {"action": "submit"}),
    ):
        assert response.status_code == 404
        assert CLINIC_PHONE in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.answers["gad7-1"] == 2 and assignment.total == 7
    assert assignment_submit(assignment_id=assignment.pk) is None  # the conditional UPDATE: once only


def test_unknown_guessed_expired_used_and_cancelled_links_answer_exactly_alike(
    patient: Patient, monday_noon: time_machine.Traveller
) -> None:
    expiring, expiring_token = send(patient, "phq9")
    used, used_token = send(patient, "gad7")
    QuestionnaireAssignment.objects.filter(pk=used.pk).update(
        status=Status.COMPLETED, total=0, band="minimal", completed_at=timezone.now()
    )
    cancelled, cancelled_token = send(patient, "pcl5")
    QuestionnaireAssignment.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)
    assert Client().get(f"/q/{expiring_token}").status_code == 200

    monday_noon.move_to(expiring.expires_at + datetime.timedelta(seconds=1))  # the clock moves past its end
    bodies = set()
    for token in (
        expiring_token,
        used_token,
        cancelled_token,
        secrets.token_urlsafe(24),  # a guess of the right shape
        expiring_token[:-1] + ("A" if expiring_token[-1] != "A" else "B"),  # one character off
        "short",
        "x" * 500,
        "%00<script>",
    ):
        response = Client().get(f"/q/{token}")
        assert response.status_code == 404, token
        # The same page, but for the parts that depend on the visitor and on the path they sent.
        bodies.add(VISITOR_PARTS.sub("", response.content.decode()))
    assert len(bodies) == 1  # no oracle: nothing tells a guess from a link that once worked
    body = bodies.pop()
    assert "This link has expired or has already been used" in body and CLINIC_PHONE in body


def test_guessing_is_throttled_per_client_address_and_the_patients_link_still_works(patient: Patient) -> None:
    _, token = send(patient, "phq9")
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [guesser.get(f"/q/{secrets.token_urlsafe(24)}").status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429
    assert Client(REMOTE_ADDR="198.51.100.7").get(f"/q/{token}").status_code == 200


def test_one_patients_link_never_reads_or_writes_another_patients_answers(patient: Patient) -> None:
    other = PatientFactory(first_name="Kim")
    mine, my_token = send(patient, "phq9")
    theirs, their_token = send(other, "phq9")
    answer(Client(), their_token, "phq9-1", 3)

    mine_page = Client().get(f"/q/{my_token}?q=1").content.decode()
    assert 'aria-pressed="true"' not in mine_page  # their answer is not shown on my link
    answer(Client(), my_token, "phq9-1", 0)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.answers, theirs.answers) == ({"phq9-1": 0}, {"phq9-1": 3})
    # Naming their questionnaire in the form changes nothing: the link alone says whose it is.
    response = Client().post(f"/q/{my_token}", {"item": "2", "value": 1, "assignment": theirs.pk})
    theirs.refresh_from_db()
    assert response.status_code == 303 and theirs.answers == {"phq9-1": 3}


def test_item_9_above_0_opens_one_urgent_alert_when_saved_pages_on_call_and_shows_988_and_911(
    patient: Patient, clinic: Clinic
) -> None:
    assignment, token = send(patient, "phq9")
    phone = Client()
    for item in range(1, 9):
        answer(phone, token, f"phq9-{item}", 0)
    assert not Alert.objects.exists()
    assert "tel:988" not in phone.get(f"/q/{token}").content.decode().split("<main")[0].replace('href="tel:988"', "")

    response = answer(phone, token, "phq9-9", 1)  # "Several days": not sent yet, saved
    alert = Alert.objects.get()
    assert (alert.urgency, alert.patient, alert.key) == (
        Alert.Urgency.URGENT,
        patient,
        f"questionnaire:{assignment.pk}",
    )
    assert "questionnaire" in alert.detail.lower() and "item 9" in alert.detail
    page = OutboundMessage.objects.get(kind=OutboundMessage.Kind.STAFF_ALERT)
    assert page.to_number == ON_CALL and page.outside_texting_hours_ok is True
    for never in ("PHQ", "Several", "dead", "hurting", patient.first_name):
        assert never not in page.body  # the page carries a link to the alert, not the answer

    shown = phone.get(response["Location"]).content.decode()
    crisis = shown.split('class="crisis-now"')[1].split("</div>")[0]
    for link in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"'):
        assert link in crisis
    assert 'role="alert"' in shown

    answer(phone, token, "phq9-9", 3)
    phone.post(f"/q/{token}", {"action": "submit"})
    assert Alert.objects.count() == 1  # one alert per questionnaire, however often item 9 is answered
    assignment.refresh_from_db()
    assert (assignment.status, assignment.urgent_alert_id) == (Status.COMPLETED, alert.pk)
    assert OutboundMessage.objects.filter(kind=OutboundMessage.Kind.STAFF_ALERT).count() == 1


@pytest.mark.parametrize(
    "form",
    [
        {"item": "1", "value": "x"},
        {"item": "1", "value": "9"},
        {"item": "1", "value": "-1"},
        {"item": "99", "value": "1"},
        {"item": "0", "value": "1"},
        {"item": "phq9-1", "value": "1"},
        {},
    ],
)
def test_bad_form_data_answers_400_never_500(patient: Patient, form: dict[str, str]) -> None:
    assignment, token = send(patient, "phq9")
    response = Client().post(f"/q/{token}", form)
    assert response.status_code == 400
    assignment.refresh_from_db()
    assert assignment.answers == {}


@pytest.mark.parametrize("step", ["0", "10", "abc", "-1"])
def test_a_question_number_out_of_range_answers_400(patient: Patient, step: str) -> None:
    _, token = send(patient, "phq9")
    assert Client().get(f"/q/{token}?q={step}").status_code == 400


def test_the_page_speaks_the_patients_language_and_the_switch_still_works(patient: Patient) -> None:
    patient.language = "es"
    patient.save()
    _, token = send(patient, "phq9")
    spanish = Client().get(f"/q/{token}").content.decode()
    assert "Poco interés o placer en hacer cosas" in spanish and "Pregunta 1 de 9" in spanish
    assert "Ningún día" in spanish and 'lang="es"' in spanish

    switched = Client()
    switched.post("/i18n/setlang/", {"language": "en", "next": f"/q/{token}"})
    english = switched.get(f"/q/{token}").content.decode()
    assert "Little interest or pleasure in doing things" in english and "Question 1 of 9" in english


def test_the_token_never_reaches_a_log_line(patient: Patient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assignment, token = send(patient, "phq9")
    phone = Client()
    phone.get(f"/q/{token}")
    for item in range(1, 10):
        answer(phone, token, f"phq9-{item}", 1)
    phone.post(f"/q/{token}", {"action": "submit"})
    phone.get(f"/q/{token}")  # used: 404
    phone.post(f"/q/{token}", {"item": "1", "value": "x"})
    Client().get(f"/q/{secrets.token_urlsafe(24)}")
    assert caplog.records, "the requests above were logged"
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    assert token not in logged
    assert assignment.token_hash not in logged


def test_a_language_change_rewrites_the_waiting_texts_with_the_same_link(patient: Patient) -> None:
    assignment, token = send(patient, "phq9")
    patient_language_changed(patient_id=patient.pk, language="es")

    link_text = OutboundMessage.objects.get(idempotency_key=f"questionnaire:{assignment.pk}:link")
    assert link_text.language == "es" and link_text.body.startswith("Harbor Clinic: Hola Robin,")
    assert link_text.body.endswith(f"/q/{token}")
    assert "Pregunta 1 de 9" in Client().get(f"/q/{token}").content.decode()
