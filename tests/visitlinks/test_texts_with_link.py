"""The link in texts: every reminder carries it within its SMS budget, and "R" or a request to move the visit in
the patient's own words (English or Spanish) is answered with it instead of a call-back task."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.segments import sms_segments, sms_segments_allowed
from clinic.messaging.wording import (
    REMINDER_PREPARATION_MAX_CHARS,
    SAMPLE_VALUES,
    preparation_for_text,
    text_default,
    text_problems,
)
from clinic.scheduling.models import Appointment
from clinic.scheduling.replies import reschedule_request_in
from clinic.todos.models import StaffTask
from clinic.visitlinks.models import VisitLink
from tests.factories import PatientFactory
from tests.support.phones import CLINIC_PHONE, PHONE
from tests.support.sandbox import last_inbound, patient_texts

from .factories import NOW, Place, place_build, visit_book

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+?(/v/[A-Za-z0-9_-]{22})\b")


@pytest.fixture(autouse=True)
def _monday_noon() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def place() -> Place:
    return place_build()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_reminder_wording_carries_the_link_within_its_sms_parts(language: str) -> None:
    wording = text_default("appointment_reminder", language)
    assert "{link}" in wording and text_problems("appointment_reminder", wording, language) == []
    longest = wording.format(**SAMPLE_VALUES[language])
    assert sms_segments(longest) <= sms_segments_allowed(longest)


def test_long_preparation_instructions_are_cut_at_a_sentence_and_the_page_shows_them_whole(place: Place) -> None:
    first = "Please have nothing to eat or drink except water for 6 hours before your visit. "
    long_text = first + "Arrange an adult to drive you home and stay with you tonight. " * 4
    assert len(long_text.strip()) > REMINDER_PREPARATION_MAX_CHARS
    cut = preparation_for_text(long_text, "en")
    assert cut.endswith(" ...") and len(cut) <= REMINDER_PREPARATION_MAX_CHARS and cut.startswith(first.strip())
    assert preparation_for_text("Nothing to eat for 6 hours.", "en") == "Nothing to eat for 6 hours."

    place.infusion.preparation_instructions = long_text.strip()[:300]
    place.infusion.save()
    visit = visit_book(place, first_name="Alexandrina", phone=PHONE)
    body = OutboundMessage.objects.filter(patient_id=visit.patient_id).order_by("send_after").first().body
    assert sms_segments(body) <= 3 and " ... Reply C to confirm. To change or cancel: " in body
    found = LINK.search(body)
    assert found is not None
    assert long_text.strip()[:300] in Client().get(found.group(1)).content.decode()


ASKED = [
    ("R", "en"),
    ("can't make it tomorrow, sorry", "en"),
    ("could we do Friday instead?", "en"),
    ("REPROGRAMAR", "es"),
    ("necesito cambiar la cita", "es"),
    ("no puedo ir", "es"),
]


@pytest.mark.parametrize(
    "body",
    [
        "can we move it",
        "need to reschedule",
        "can we change it to next week?",
        "I need a different time",
        "could I come another day",
        "necesito otra fecha",
        "¿se puede mover?",
        "¿me la pueden cambiar para el viernes?",
        "mejor otro día",
    ],
)
def test_the_siblings_of_the_phrasings_are_read_as_requests(body: str) -> None:
    assert reschedule_request_in(body)


@pytest.mark.parametrize(
    "body", ["I can't make it through the night", "I need a new life", "quiero cambiar de vida", "nothing will change"]
)
def test_words_about_life_are_not_requests_to_move(body: str) -> None:
    assert reschedule_request_in(body) == ""


@pytest.mark.parametrize(("body", "language"), ASKED)
def test_a_request_to_move_the_visit_is_answered_with_its_link_in_the_patients_words(
    place: Place, body: str, language: str
) -> None:
    visit = visit_book(place, first_name="Robin", phone=PHONE)
    patient_texts(Client(), body)

    message = last_inbound()
    assert message.route == InboundMessage.Route.CONFIRMATION
    expected = {
        "en": "Harbor Clinic: Pick a new time for your visit on Thursday, December 10 here: ",
        "es": "Harbor Clinic: Elija otra hora para su cita del jueves, 10 de diciembre aquí: ",
    }[language]
    assert message.reply.startswith(expected) and message.reply.endswith(CLINIC_PHONE + ".")
    found = LINK.search(message.reply)
    assert found is not None
    link = VisitLink.objects.get(purpose=VisitLink.Purpose.REPLY)
    assert link.appointment == visit
    page = Client().get(found.group(1))
    assert page.status_code == 200 and "Robin" in page.content.decode()
    assert not StaffTask.objects.exists()  # no call back needed: the patient picks the time


def test_a_shared_number_gets_no_link_and_the_words_wait_for_staff(place: Place) -> None:
    visit_book(place, first_name="Robin", phone=PHONE)
    PatientFactory(phone=PHONE, first_name="Sam")
    patient_texts(Client(), "R")
    assert "more than one patient" in last_inbound().reply and "/v/" not in last_inbound().reply
    patient_texts(Client(), "can we move it")
    assert last_inbound().route == InboundMessage.Route.INBOX and last_inbound().reply == ""
    assert not VisitLink.objects.filter(purpose=VisitLink.Purpose.REPLY).exists()


def test_with_no_visit_ahead_r_still_opens_a_call_back_and_sends_no_link(place: Place) -> None:
    PatientFactory(phone=PHONE)
    patient_texts(Client(), "R")
    assert "could not find an upcoming visit" in last_inbound().reply
    assert StaffTask.objects.get().kind == StaffTask.Kind.UNMATCHED_CONFIRMATION
    assert not VisitLink.objects.exists()


@pytest.mark.parametrize("body", ["I can't make it through the night", "I can't make it stop"])
def test_despair_that_sounds_like_a_request_is_crisis_not_a_link(place: Place, body: str) -> None:
    visit_book(place, first_name="Robin", phone=PHONE)
    patient_texts(Client(), body)
    assert last_inbound().route == InboundMessage.Route.CRISIS
    assert "/v/" not in last_inbound().reply
    assert Appointment.objects.get().status == Appointment.Status.SCHEDULED
