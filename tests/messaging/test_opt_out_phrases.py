"""Opt-out by plain words (FCC 24-18): any reply a reasonable person reads as "stop texting me"."""

from __future__ import annotations

import pytest
from django.test import Client

from clinic.messaging.models import InboundMessage, OutboundMessage, PhoneNumberState
from clinic.messaging.opt_out import opt_out_request_in
from tests.factories import ClinicFactory, PatientFactory
from tests.support.phones import PHONE
from tests.support.sandbox import SMS_PATH, inbound_params, post_signed

pytestmark = pytest.mark.django_db

OPT_OUTS_EN = [
    "stop texting me",
    "Please stop texting me.",
    "Please stop texting me about the parking",
    "Don't text me anymore",
    "dont text me again",
    "Do not message me",
    "remove me from your list",
    "Remove my number please",
    "Unsubscribe me",
    "please unsubscribe",
    "no more messages",
    "No more texts please!!",
    "take me off",
    "Take me off your list",
    "Stop sending me texts",
    "stop contacting me",
    "quit texting me",
    "I don\u2019t want any more texts",
    "I no longer want to receive messages",
    "please opt me out",
    "opt-out",
    "STOP ALL TEXTS",
    "cancel all messages",
    "don't send me any more messages",
    # Decided: stopping one kind of text is honoured as an opt-out from all (we keep no per-kind consent).
    "stop the reminders for friday's session?",
]
OPT_OUTS_ES = [
    "No me manden más mensajes",
    "no me escriban más",
    "dejen de escribirme",
    "Deja de mandarme mensajes",
    "Ya no quiero recibir mensajes",
    "no quiero más mensajes",
    "no más mensajes",
    "quítenme de la lista",
    "Denme de baja por favor",
    "paren los mensajes",
    "BAJA",
    "Parar",
    "alto",
]
NOT_OPT_OUTS = [
    "stop by tomorrow?",
    "cancel my appointment",
    "Don't cancel my visit",
    "Can someone take me home after?",
    "What time should I stop eating?",
    "Please text me the address",
    "no me mandaron la dirección",
    "dejé de escribir en mi diario",
    "the reminders are helpful, thanks",
    "Where do I stop in the parking lot?",
]


def texts(body: str, sid: str = "SM" + "a" * 32) -> str:
    response = post_signed(Client(), SMS_PATH, inbound_params(body, sid=sid, from_number=PHONE))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(autouse=True)
def clinic() -> None:
    ClinicFactory(short_name="Harbor")


@pytest.mark.parametrize("body", OPT_OUTS_EN + OPT_OUTS_ES)
def test_plain_words_opt_the_number_out_with_one_confirmation(body: str) -> None:
    PatientFactory(phone=PHONE)
    answer = texts(body)

    state = PhoneNumberState.objects.get(phone=PHONE)
    assert state.is_opted_out and state.opt_out_keyword
    message = InboundMessage.objects.get()
    assert message.route == InboundMessage.Route.OPT_OUT
    # Staff see what was recognised; it needs nothing more from them.
    assert message.route_detail.startswith("opt-out recognised:") and message.handled_at is not None
    # The one confirmation allowed, sent at once as the reply, and nothing else.
    assert answer.count("<Message>") == 1 and "START" in answer and "Harbor" in answer
    assert not OutboundMessage.objects.exists()


def test_the_confirmation_is_in_the_language_of_the_request() -> None:
    assert "ya no recibir" in texts("no me manden más mensajes")
    assert "any more texts" in texts("stop texting me", sid="SM" + "b" * 32)


@pytest.mark.parametrize("body", NOT_OPT_OUTS)
def test_sentences_that_only_contain_a_stop_word_go_to_the_inbox(body: str) -> None:
    texts(body)
    assert not PhoneNumberState.objects.filter(opted_out_at__isnull=False).exists()
    assert InboundMessage.objects.get().route != InboundMessage.Route.OPT_OUT


@pytest.mark.parametrize("body", ["STOP", "stop", "Unsubscribe", "Cancel"])
def test_twilio_keywords_get_no_second_confirmation(body: str) -> None:
    answer = texts(body)
    assert "<Message>" not in answer  # Twilio confirms its own keywords
    assert InboundMessage.objects.get().route_detail == f"opt-out recognised: {body.upper()!r}"


def test_crisis_language_is_still_answered_first() -> None:
    answer = texts("stop texting me, I want to end my life")
    assert "988" in answer
    assert InboundMessage.objects.get().route == InboundMessage.Route.CRISIS


def test_recognised_phrase_is_short_and_names_the_request() -> None:
    request = opt_out_request_in("Hi, this is Dana. Please stop texting me, thanks!")
    assert request is not None and request.phrase == "stop texting me" and not request.twilio_keyword
