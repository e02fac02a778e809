"""Patients answer reminders in Spanish, or ask in their own words (English or Spanish) to move their visit.

Through the signed webhook. Answers are asserted equal to the text rendered in the language expected, with a
Spanish wording of the clinic's own (tests/support/languages.py), so the language is proven whether or not the
shipped translation exists.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client

from clinic.accounts.actor import Actor
from clinic.core.clinics import clinic_text_values
from clinic.messaging.models import InboundMessage, PhoneNumberState
from clinic.messaging.texts import text_render
from clinic.scheduling.models import Appointment
from clinic.scheduling.replies import reschedule_request_in
from clinic.scheduling.services import Booking, appointment_book, appointment_cancel
from clinic.scheduling.session_time import session_time_values
from clinic.todos.models import StaffTask
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import NY
from tests.support.languages import MARK, spanish_wordings
from tests.support.phones import OTHER_PHONE, PHONE
from tests.support.sandbox import last_inbound, patient_texts

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 7, 12, tzinfo=NY)


@pytest.fixture
def booked() -> Appointment:
    """Robin's session on Wednesday; Robin reads English (the Spanish answers follow the words written)."""
    clinic = ClinicFactory()
    RoomFactory(clinic=clinic)
    spanish_wordings(
        "appointment_confirmed_ride",
        "appointment_already_confirmed",
        "visit_link_reschedule",
        "ride_confirmed",
    )
    with time_machine.travel(NOW, tick=False):
        return appointment_book(
            actor=Actor(user=None),
            booking=Booking(
                patient=PatientFactory(phone=PHONE, first_name="Robin"),
                provider=ProviderFactory(clinic=clinic),
                session_type=SessionTypeFactory(clinic=clinic),
                starts_at=datetime.datetime(2026, 12, 9, 10, tzinfo=NY),
            ),
        )


def reply(body: str, from_number: str = PHONE) -> str:
    with time_machine.travel(NOW, tick=False):
        return patient_texts(Client(), body, from_number=from_number)


def rendered(name: str, appointment: Appointment, language: str, **more: str) -> str:
    """The text `name` about `appointment` as the patient should get it in `language`."""
    values = {
        **clinic_text_values(appointment.session_type.clinic),
        "first_name": appointment.patient.first_name,
        **session_time_values(appointment, language),
        **more,
    }
    return text_render(name, language=language, **values)


def link_in(text: str) -> str:
    """The visit's link in an answer: the public address, /v/ and a 22-character token."""
    found = re.search(r"https?://\S+/v/[A-Za-z0-9_-]{22}\b", text)
    assert found is not None, text
    return found.group(0)


def reschedule_tasks() -> list[tuple[str, int | None]]:
    return list(StaffTask.objects.values_list("kind", "appointment_id"))


# --- Confirming --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["SI", "Sí", "si", "sí, confirmo", "CONFIRMO", "Confirmado, gracias", "C por favor"])
def test_si_and_confirmo_confirm_the_next_session_answered_in_spanish(booked: Appointment, body: str) -> None:
    reply(body)

    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CONFIRMED
    message = last_inbound()
    assert message.route == InboundMessage.Route.CONFIRMATION
    language = message.language or booked.patient.language  # "C por favor": C is no language's word
    assert message.reply == rendered("appointment_confirmed_ride", booked, language)
    assert message.reply.startswith(MARK) is (language == "es")


def test_a_second_si_says_it_is_already_confirmed_in_spanish(booked: Appointment) -> None:
    reply("sí")
    reply("Sí, confirmo")
    assert last_inbound().reply == rendered("appointment_already_confirmed", booked, "es")


def test_yes_thanks_confirms_in_english(booked: Appointment) -> None:
    reply("yes thanks")
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CONFIRMED
    assert last_inbound().reply == rendered("appointment_confirmed_ride", booked, "en")
    assert not last_inbound().reply.startswith(MARK)


@pytest.mark.parametrize("body", ["si pero a qué hora es?", "sí, ya llegué", "si no puedo, les aviso"])
def test_si_with_more_to_say_is_not_a_confirmation(booked: Appointment, body: str) -> None:
    reply(body)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.SCHEDULED
    assert last_inbound().route == InboundMessage.Route.INBOX


# --- Rescheduling -------------------------------------------------------------------------------------------

ENGLISH_REQUESTS = [
    "can we move it",
    "Can we move it to next week?",
    "can't make it",
    "can\u2019t make it tomorrow, sorry",
    "need to reschedule",
    "can we do Friday instead?",
    "Sorry won't be there tomorrow, flight got moved up",
    "is there another time this week?",
    "can we move my appt to thursday",
    "I'm not going to make it wednesday, can we do friday",
]
SPANISH_REQUESTS = [
    "R",
    "REPROGRAMAR",
    "reagendar por favor",
    "R porfa",
    "necesito cambiar la cita",
    "no puedo ir",
    "no voy a poder ir mañana",
    "¿podemos cambiarla para el viernes?",
    "podemos cambiarla para el viernes",  # without accents or marks
    "no podré asistir",
    "perdón no puedo ir, mi hija tiene fiebre. hay espacio el viernes?",
    "¿puede ser otro día?",
]


@pytest.mark.parametrize("body", ENGLISH_REQUESTS + SPANISH_REQUESTS)
def test_a_request_to_move_the_visit_is_answered_with_its_link_and_keeps_the_booking(
    booked: Appointment, body: str
) -> None:
    reply(body)

    assert reschedule_tasks() == []  # the link lets the patient pick a time: nobody needs to call back
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.SCHEDULED
    message = last_inbound()
    assert message.route == InboundMessage.Route.CONFIRMATION
    written_in = "" if body == "R" else "es" if body in SPANISH_REQUESTS else "en"
    answered_in = written_in or "en"  # "R" is no language's word: Robin reads English
    assert message.language == written_in
    link = link_in(message.reply)
    assert message.reply == rendered("visit_link_reschedule", booked, answered_in, link=link)
    assert message.reply.startswith(MARK) is (answered_in == "es")


def test_staff_see_the_words_recognised(booked: Appointment) -> None:
    reply("Hola, no voy a poder ir mañana porque mi hijo está enfermo")
    assert last_inbound().route_detail == "reschedule request recognised: 'no voy a poder ir'"
    reply("R")
    assert last_inbound().route_detail == ""  # a keyword needs no explaining


@pytest.mark.parametrize(
    ("body", "route"),
    [
        ("I can't make it stop", InboundMessage.Route.CRISIS),  # crisis is read first, and it asks nothing
        ("no aguanto más, no voy a ir a ninguna cita nunca más", InboundMessage.Route.CRISIS),
        ("cancel my appointment", InboundMessage.Route.INBOX),  # cancelling is a conversation: staff read it
        ("cancelar mi cita", InboundMessage.Route.INBOX),
        ("quiero cancelar la cita del miércoles", InboundMessage.Route.INBOX),
        ("no puedo ir a trabajar después, ¿verdad?", InboundMessage.Route.INBOX),
        ("no puedo ir sola, mi esposo no puede manejar", InboundMessage.Route.INBOX),
        ("I felt bad the other day", InboundMessage.Route.INBOX),
        ("no need to reschedule, see you then", InboundMessage.Route.INBOX),
        ("I already rescheduled with Maria", InboundMessage.Route.INBOX),
        ("¿puedo pasar por la receta?", InboundMessage.Route.INBOX),
        ("ya van 3 veces q me cambian la cita", InboundMessage.Route.INBOX),
    ],
)
def test_texts_that_only_sound_like_a_request_are_not_one(booked: Appointment, body: str, route: str) -> None:
    reply(body)
    assert last_inbound().route == route
    assert not StaffTask.objects.filter(kind=StaffTask.Kind.RESCHEDULE_REQUEST).exists()
    assert not PhoneNumberState.objects.filter(opted_out_at__isnull=False).exists()
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.SCHEDULED


def test_own_words_with_no_session_ahead_wait_in_the_inbox(booked: Appointment) -> None:
    with time_machine.travel(NOW, tick=False):
        appointment_cancel(actor=Actor(user=None), appointment=booked, reason="Patient unwell")
    reply("necesito cambiar la cita")
    assert last_inbound().route == InboundMessage.Route.INBOX and last_inbound().reply == ""
    assert not StaffTask.objects.exists()

    reply("can't make it", from_number=OTHER_PHONE)  # a number we do not know
    assert last_inbound().route == InboundMessage.Route.INBOX and last_inbound().reply == ""


def test_own_words_from_a_shared_number_wait_in_the_inbox(booked: Appointment) -> None:
    PatientFactory(phone=PHONE, first_name="Sam")
    reply("no puedo ir el miércoles")
    assert last_inbound().route == InboundMessage.Route.INBOX
    assert not StaffTask.objects.exists()


# --- The ride home --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["CHOFER", "Chófer", "conductor", "RIDE"])
def test_chofer_and_conductor_confirm_the_ride_home(booked: Appointment, body: str) -> None:
    reply(body)
    booked.refresh_from_db()
    assert booked.driver_confirmed
    message = last_inbound()
    assert message.language == ("" if body == "RIDE" else "es")
    assert message.reply == rendered("ride_confirmed", booked, "en" if body == "RIDE" else "es")


@pytest.mark.parametrize("body", ["LISTO", "transporte?", "Listo, gracias"])
def test_words_that_do_not_name_the_driver_leave_the_ride_unconfirmed(booked: Appointment, body: str) -> None:
    reply(body)
    booked.refresh_from_db()
    assert not booked.driver_confirmed
    assert last_inbound().route == InboundMessage.Route.INBOX


# --- The reader alone -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("I can't make it tomorrow, sorry", "cant make it"),
        ("Need to re-schedule", "re-schedule"),
        ("¿Podemos cambiarla para el viernes?", "cambiarla"),
        ("Hola, no puedo ir el jueves", "no puedo ir"),
        ("no podre ir el jueves, se me descompuso el carro", "no podre ir"),
        ("Could I come in Monday instead", "could i come in monday instead"),
        ("I can't make it through the night", ""),
        ("I can't make it on time, 15 min late", ""),
        ("dont bother rescheduling", ""),
        ("no reprogramen", ""),
        ("just another day", ""),
        ("no puedo llegar a tiempo", ""),
    ],
)
def test_the_words_of_a_request_are_found(body: str, words: str) -> None:
    assert reschedule_request_in(body) == words
