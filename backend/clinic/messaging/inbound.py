"""Texts people send us: stored once per MessageSid, then routed through one table."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.core.clinics import clinic_text_values
from clinic.core.languages import LANGUAGE_DEFAULT
from clinic.core.text import accents_fold
from clinic.patients.models import Patient

from . import numbers
from .crisis import crisis_detect
from .language_guess import text_language_guess
from .models import InboundMessage
from .opt_out import opt_out_request_in
from .senders import location_of_number
from .texts import text_render

logger = logging.getLogger(__name__)
Route = InboundMessage.Route

# Resuming texts: Twilio's START and UNSTOP, and in Spanish ALTA (the opposite of BAJA, which opts out:
# "darse de alta / de baja" is how Spanish speaks of subscribing), REANUDAR (resume) and COMENZAR, INICIAR,
# EMPEZAR (start). Each is a single word nobody sends for anything else. A bare YES or SI resumes only a
# number that opted out (route_opt_in).
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "ALTA", "REANUDAR", "COMENZAR", "INICIAR", "EMPEZAR"})
# YES and its Spanish SI (written "sí" or "si": accents are folded before comparing).
YES_WORDS = frozenset({"YES", "SI"})
# HELP, INFO and Spanish AYUDA, as a single word; "ayúdenme por favor, no aguanto más" is crisis language,
# and crisis is always read first (route_crisis).
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
# Words of courtesy around a keyword ("Sí, gracias", "C please", "R porfa"), dropped by keywords_of.
COURTESY_WORDS = frozenset(
    {"PLEASE", "PLS", "PLZ", "THANKS", "THX", "TY", "OK", "OKAY", "GRACIAS", "PORFA", "PORFAVOR", "XFA"}
)
_COURTESY_PHRASES = re.compile(r"\b(?:THANK\s*YOU|THANKS\s+SO\s+MUCH|POR\s+FAVOR|MUCHAS\s+GRACIAS)\b")


@dataclass(frozen=True)
class Routed:
    route: str
    reply: str = ""
    detail: str = ""  # what the route recognised, shown to staff


def reply_language(message: InboundMessage) -> str:
    """The language to answer a text in: the one it is written in if recognised, else the sender's own."""
    if message.language:
        return message.language
    if message.patient is not None:
        return message.patient.language
    known = Patient.objects.filter(phone=message.from_number).order_by("-created_at").values_list("language", flat=True)
    return known.first() or LANGUAGE_DEFAULT


def _words_upper(body: str) -> list[str]:
    """The text's words, upper case, accents folded ("Sí." -> ["SI"]), punctuation and emoji dropped."""
    text = accents_fold(body.upper())
    return re.sub(r"[^\w\s]", " ", re.sub(r"['\u2019-]", "", text)).split()  # "re-schedule" is one word


def keyword_of(body: str) -> str:
    """The message as one upper-case word, accents folded, if it is a single word ("Sí." -> "SI"), else ""."""
    words = _words_upper(body)
    return words[0] if len(words) == 1 else ""


def keywords_of(body: str) -> tuple[str, ...]:
    """The message's words without courtesy ("Sí, confirmo, gracias" -> ("SI", "CONFIRMO")), as keyword_of
    reads them; a reply made only of keywords is acted on like one keyword."""
    text = _COURTESY_PHRASES.sub(" ", " ".join(_words_upper(body)))
    return tuple(word for word in text.split() if word not in COURTESY_WORDS)


def reply_is_yes(body: str) -> bool:
    """A bare yes: "YES", "sí", "Si, gracias" (and nothing else)."""
    words = keywords_of(body)
    return bool(words) and set(words) <= YES_WORDS


class CrisisResponder(Protocol):
    def __call__(self, *, message: InboundMessage, why: str) -> object: ...


# What apps above messaging do about a crisis text (checkins: open the urgent alert and page the on-call
# clinician), registered from their AppConfig.ready(). Each runs inside the text's transaction.
CRISIS_RESPONDERS: list[CrisisResponder] = []


def crisis_responder_register(responder: CrisisResponder) -> None:
    if responder not in CRISIS_RESPONDERS:
        CRISIS_RESPONDERS.append(responder)


def route_crisis(message: InboundMessage) -> Routed | None:
    finding = crisis_detect(message.body)
    if finding is None:
        return None
    # The answer goes out at once whatever the hour: it is the reply to the patient's own text.
    logger.warning("crisis language in inbound message %s", message.pk)
    for responder in CRISIS_RESPONDERS:
        responder(message=message, why=finding.explain())
    return Routed(Route.CRISIS, text_render("crisis", language=reply_language(message)))


def route_opt_out(message: InboundMessage) -> Routed | None:
    """STOP and its kin, or any plain words asking us to stop texting (see opt_out.py), in English or Spanish."""
    request = opt_out_request_in(message.body)
    if request is None:
        return None
    numbers.number_opt_out(phone=message.from_number, keyword=request.phrase)
    detail = f"opt-out recognised: {request.phrase!r}"
    if request.twilio_keyword:
        return Routed(Route.OPT_OUT, detail=detail)  # Twilio itself confirms the opt-out; nothing more may be sent
    # Twilio confirms only its own keywords: the one confirmation allowed, at once, with nothing else in it.
    language = request.language or reply_language(message)
    return Routed(
        Route.OPT_OUT,
        text_render("opt_out_confirm", language=language, **clinic_text_values(message.clinic)),
        detail=detail,
    )


def route_opt_in(message: InboundMessage) -> Routed | None:
    word = keyword_of(message.body)
    opted_out = numbers.number_is_opted_out(message.from_number)
    if word in OPT_IN_WORDS or (word in YES_WORDS and opted_out):
        numbers.number_opt_in(phone=message.from_number)
        return Routed(
            Route.OPT_IN, text_render("opt_in", language=reply_language(message), **clinic_text_values(message.clinic))
        )
    return None


def route_help(message: InboundMessage) -> Routed | None:
    if keyword_of(message.body) not in HELP_WORDS:
        return None
    return Routed(
        Route.HELP, text_render("help", language=reply_language(message), **clinic_text_values(message.clinic))
    )


@dataclass(frozen=True)
class InboundRoute:
    """One way to read a text: `handle` claims it (returns what to do) or passes (None).

    Routes run by `priority`, lowest first; the first that claims a text answers it. The ranges:
    0-9 safety (crisis language, always first), 10-39 what carriers require (opt-out, opt-in, help),
    40-89 the clinic's workflows (registered by their apps), and the staff inbox when nothing claims it.
    """

    name: str
    priority: int
    handle: Callable[[InboundMessage], Routed | None]


INBOUND_ROUTES: list[InboundRoute] = []


def inbound_route_register(*, name: str, priority: int, handle: Callable[[InboundMessage], Routed | None]) -> None:
    """Add a route (from an AppConfig.ready()); a name registered again replaces its earlier entry."""
    taken = [route for route in INBOUND_ROUTES if route.priority == priority and route.name != name]
    if taken:
        raise ValueError(f"Route priority {priority} is already {taken[0].name!r}'s.")
    INBOUND_ROUTES[:] = sorted(
        [*(route for route in INBOUND_ROUTES if route.name != name), InboundRoute(name, priority, handle)],
        key=lambda route: route.priority,
    )


inbound_route_register(name="crisis", priority=0, handle=route_crisis)
inbound_route_register(name="opt-out", priority=10, handle=route_opt_out)
inbound_route_register(name="opt-in", priority=20, handle=route_opt_in)
inbound_route_register(name="help", priority=30, handle=route_help)


def inbound_route(message: InboundMessage) -> Routed:
    for route in INBOUND_ROUTES:
        routed = route.handle(message)
        if routed is not None:
            return routed
    return Routed(Route.INBOX)


def inbound_receive(
    *, message_sid: str, from_number: str, to_number: str, body: str, messaging_service_sid: str = ""
) -> Routed | None:
    """Store and route one inbound text. A MessageSid seen before returns None and changes nothing.

    The number it was sent to names the location (each location's sender); the sender is one person
    whichever location they text.
    """
    try:
        with transaction.atomic():
            # A number several patients share (a couple, a parent) names none of them: never guess.
            holders = list(Patient.objects.filter(phone=from_number).values_list("pk", flat=True)[:2])
            message = InboundMessage.objects.create(
                message_sid=message_sid,
                from_number=from_number,
                to_number=to_number,
                body=body,
                patient_id=holders[0] if len(holders) == 1 else None,
                shared_number=len(holders) > 1,
                language=text_language_guess(body),  # every route and reply reads it (reply_language)
                clinic=location_of_number(to_number, messaging_service_sid),
            )
            routed = inbound_route(message)
            message.route = routed.route
            message.reply = routed.reply
            message.route_detail = routed.detail[:200]
            if routed.route in (Route.OPT_OUT, Route.OPT_IN, Route.HELP):
                message.handled_at = timezone.now()  # nothing for staff to do
            message.save(update_fields=["route", "reply", "route_detail", "handled_at"])
    except IntegrityError:
        return None  # Twilio retried a webhook we already stored
    return routed


def inbox_mark_handled(*, message: InboundMessage, by_user_id: int | None) -> InboundMessage:
    InboundMessage.objects.filter(pk=message.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by_id=by_user_id
    )
    message.refresh_from_db()
    return message
