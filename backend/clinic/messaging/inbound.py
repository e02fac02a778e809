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
from clinic.patients.models import Patient

from . import numbers
from .crisis import crisis_detect
from .language_guess import text_language_guess
from .models import InboundMessage
from .opt_out import opt_out_request_in
from .texts import text_render

logger = logging.getLogger(__name__)
Route = InboundMessage.Route

OPT_IN_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


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


def keyword_of(body: str) -> str:
    """The message as one upper-case word if it is a single word ("Stop." -> "STOP"), else ""."""
    words = re.sub(r"[^\w\s]", "", body).split()
    return words[0].upper() if len(words) == 1 else ""


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
        Route.OPT_OUT, text_render("opt_out_confirm", language=language, **clinic_text_values()), detail=detail
    )


def route_opt_in(message: InboundMessage) -> Routed | None:
    word = keyword_of(message.body)
    opted_out = numbers.number_is_opted_out(message.from_number)
    if word in OPT_IN_WORDS or (word == "YES" and opted_out):
        numbers.number_opt_in(phone=message.from_number)
        return Routed(Route.OPT_IN, text_render("opt_in", language=reply_language(message), **clinic_text_values()))
    return None


def route_help(message: InboundMessage) -> Routed | None:
    if keyword_of(message.body) not in HELP_WORDS:
        return None
    return Routed(Route.HELP, text_render("help", language=reply_language(message), **clinic_text_values()))


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


def inbound_receive(*, message_sid: str, from_number: str, to_number: str, body: str) -> Routed | None:
    """Store and route one inbound text. A MessageSid seen before returns None and changes nothing."""
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
