"""Patients write to us in Spanish: opt-out, opt-in and help keywords and phrasings, answered in Spanish.

Through the signed webhook, as Twilio posts it. Each answer is asserted equal to the text rendered in the
language expected, with a Spanish wording of the clinic's own (tests/support/languages.py), so the answer's
language is proven whether or not the shipped translation exists.
"""

from __future__ import annotations

import pytest
from django.test import Client

from clinic.core.clinics import clinic_text_values
from clinic.messaging.inbound import keyword_of, keywords_of, reply_is_yes
from clinic.messaging.models import InboundMessage, OutboundMessage, PhoneNumberState
from clinic.messaging.opt_out import opt_out_request_in
from clinic.messaging.texts import text_render
from tests.factories import ClinicFactory, PatientFactory
from tests.support.languages import MARK, spanish_wordings
from tests.support.phones import PHONE
from tests.support.sandbox import last_inbound, patient_texts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clinic() -> None:
    ClinicFactory(short_name="Harbor")
    spanish_wordings("help", "opt_in", "opt_out_confirm", "crisis")


def texts(body: str) -> str:
    """The TwiML answer to `body` sent from PHONE (a new MessageSid each time)."""
    return patient_texts(Client(), body, from_number=PHONE)


def opted_out() -> bool:
    state = PhoneNumberState.objects.filter(phone=PHONE).first()
    return state is not None and state.is_opted_out


# --- Reading keywords: accents folded, courtesy dropped ---------------------------------------------------


@pytest.mark.parametrize(
    ("body", "word"),
    [("Sí", "SI"), ("SÍ.", "SI"), ("si!", "SI"), ("Ayuda", "AYUDA"), ("re-schedule", "RESCHEDULE"), ("sí no", "")],
)
def test_a_keyword_is_read_without_accents_case_or_punctuation(body: str, word: str) -> None:
    assert keyword_of(body) == word


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("Sí, confirmo, gracias", ("SI", "CONFIRMO")),
        ("C please 👍", ("C",)),
        ("R por favor", ("R",)),
        ("Thank you! yes", ("YES",)),
        ("muchas gracias", ()),
        ("si pero a qué hora?", ("SI", "PERO", "A", "QUE", "HORA")),
    ],
)
def test_keywords_of_drops_only_courtesy(body: str, words: tuple[str, ...]) -> None:
    assert keywords_of(body) == words


@pytest.mark.parametrize(("body", "yes"), [("sí", True), ("Si, gracias", True), ("YES", True), ("si no", False)])
def test_a_bare_yes_in_either_language(body: str, yes: bool) -> None:
    assert reply_is_yes(body) is yes


# --- Opt-out ---------------------------------------------------------------------------------------------

SPANISH_OPT_OUTS = [
    "PARAR",
    "Alto",
    "CANCELAR",
    "Baja",
    "paren",
    "detengan",
    "baja por favor",
    "PARAR YA",
    "Stop por favor",
    "no quiero que me manden mensajes",
    "Ya no quiero que me escriban",
    "no me vuelvan a escribir",
    "No deseo recibir más mensajes",
    "quiero dejar de recibir mensajes",
    "paren de escribirme",
    "para de mandarme mensajes",
    "cancelar mi suscripción",
    "quiero desuscribirme",
    "bórrenme de su lista",
    "elimínenme",
    "me quiero dar de baja",
    "quiero darme de baja",
]
NOT_OPT_OUTS = [
    "cancelar mi cita",
    "quiero cancelar la cita del viernes",
    "Cancelar por favor",  # in answer to a reminder, maybe the visit: staff read it
    "cancel please",
    "dejaron de mandarme los recordatorios?",  # asks why they stopped
    "dejé de recibir los mensajes?",
    "no puedo describir lo que siento",
    "para de llover y voy",
]


@pytest.mark.parametrize("body", SPANISH_OPT_OUTS)
def test_spanish_opt_outs_are_honoured_and_confirmed_once_in_spanish(body: str) -> None:
    PatientFactory(phone=PHONE)  # an English reader: the words of the request decide the language
    answer = texts(body)

    assert opted_out()
    message = last_inbound()
    assert message.route == InboundMessage.Route.OPT_OUT and message.language == "es"
    assert message.reply == text_render("opt_out_confirm", language="es", **clinic_text_values())
    assert message.reply.startswith(MARK) and answer.count("<Message>") == 1
    assert not OutboundMessage.objects.exists()


def test_stop_with_english_courtesy_is_confirmed_in_english() -> None:
    PatientFactory(phone=PHONE, language="es")
    texts("STOP please")
    message = last_inbound()
    assert opted_out() and message.language == "en"
    assert message.reply == text_render("opt_out_confirm", language="en", **clinic_text_values())


def test_a_bare_stop_is_twilios_to_confirm_whatever_the_senders_language() -> None:
    PatientFactory(phone=PHONE, language="es")
    answer = texts("STOP")
    assert opted_out() and "<Message>" not in answer and last_inbound().language == ""


@pytest.mark.parametrize("body", NOT_OPT_OUTS)
def test_sentences_about_a_visit_or_about_texts_stopping_are_not_opt_outs(body: str) -> None:
    PatientFactory(phone=PHONE)
    texts(body)
    assert not opted_out()
    assert last_inbound().route == InboundMessage.Route.INBOX


def test_the_recognised_words_are_kept_for_staff() -> None:
    request = opt_out_request_in("Hola, soy Ana. Por favor no me vuelvan a escribir, gracias")
    assert request is not None
    assert (request.phrase, request.twilio_keyword, request.language) == ("no me vuelvan a escribir", False, "es")


# --- Opt-in ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["ALTA", "Reanudar", "comenzar", "INICIAR", "empezar", "START"])
def test_spanish_words_for_start_resume_texts(word: str) -> None:
    PatientFactory(phone=PHONE, language="es")
    texts("BAJA")
    assert opted_out()

    texts(word)
    assert not opted_out()
    message = last_inbound()
    assert message.route == InboundMessage.Route.OPT_IN
    # START is no language's word: the answer is in the language the sender reads.
    assert message.reply == text_render("opt_in", language="es", **clinic_text_values())
    assert message.reply.startswith(MARK)


@pytest.mark.parametrize("word", ["SI", "Sí", "sí."])
def test_si_resumes_texts_only_for_a_number_that_opted_out(word: str) -> None:
    PatientFactory(phone=PHONE)
    texts(word)
    assert last_inbound().route != InboundMessage.Route.OPT_IN

    texts("PARAR")
    texts(word)
    assert not opted_out()
    assert last_inbound().route == InboundMessage.Route.OPT_IN


# --- Help, and help that is a cry for help ---------------------------------------------------------------


@pytest.mark.parametrize("body", ["AYUDA", "ayuda", "Ayuda?", "¡Ayuda!"])
def test_ayuda_alone_is_the_help_keyword_answered_in_spanish(body: str) -> None:
    PatientFactory(phone=PHONE)  # an English reader
    texts(body)
    message = last_inbound()
    assert message.route == InboundMessage.Route.HELP and message.language == "es"
    assert message.reply == text_render("help", language="es", **clinic_text_values())
    assert message.reply.startswith(MARK)


@pytest.mark.parametrize("language", ["es", "en"])
def test_help_and_info_are_answered_in_the_language_the_sender_reads(language: str) -> None:
    PatientFactory(phone=PHONE, language=language)
    texts("HELP")
    texts("INFO")
    for message in InboundMessage.objects.all():
        assert message.route == InboundMessage.Route.HELP and message.language == ""
        assert message.reply == text_render("help", language=language, **clinic_text_values())


@pytest.mark.parametrize(
    "body",
    ["ayúdenme por favor, no aguanto más", "ayuda. no se q voy a hacer", "necesito ayuda ya, no estoy a salvo"],
)
def test_a_cry_for_help_is_crisis_language_first(body: str) -> None:
    PatientFactory(phone=PHONE)
    answer = texts(body)
    message = last_inbound()
    assert message.route == InboundMessage.Route.CRISIS and message.language == "es"
    assert message.reply == text_render("crisis", language="es") and message.reply.startswith(MARK)
    assert "988" in answer and "911" in answer
