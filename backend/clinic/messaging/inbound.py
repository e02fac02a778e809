"""Texts people send us: stored once per MessageSid, then routed through one table."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.core.clinics import clinic_current
from clinic.patients.models import Patient

from . import numbers
from .crisis import crisis_detect
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


def keyword_of(body: str) -> str:
    """The message as one upper-case word if it is a single word ("Stop." -> "STOP"), else ""."""
    words = re.sub(r"[^\w\s]", "", body).split()
    return words[0].upper() if len(words) == 1 else ""


def _clinic_names() -> dict[str, str]:
    clinic = clinic_current()
    return {
        "clinic": clinic.short_name if clinic else "Clinic",
        "clinic_phone": clinic.phone if clinic else "the clinic",
    }


def route_crisis(message: InboundMessage) -> Routed | None:
    finding = crisis_detect(message.body)
    if finding is None:
        return None
    from clinic.checkins.alerts import alert_open_for_crisis  # checkins imports messaging at load time

    # The answer goes out at once whatever the hour: it is the reply to the patient's own text.
    logger.warning("crisis language in inbound message %s", message.pk)
    # Opens the urgent alert and texts the on-call clinician a link; never stops the reply below.
    alert_open_for_crisis(message=message, why=finding.explain())
    return Routed(Route.CRISIS, text_render("crisis"))


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
    name = "opt_out_confirm_es" if request.language == "es" else "opt_out_confirm"
    return Routed(Route.OPT_OUT, text_render(name, **_clinic_names()), detail=detail)


def route_opt_in(message: InboundMessage) -> Routed | None:
    word = keyword_of(message.body)
    opted_out = numbers.number_is_opted_out(message.from_number)
    if word in OPT_IN_WORDS or (word == "YES" and opted_out):
        numbers.number_opt_in(phone=message.from_number)
        return Routed(Route.OPT_IN, text_render("opt_in", **_clinic_names()))
    return None


def route_help(message: InboundMessage) -> Routed | None:
    if keyword_of(message.body) not in HELP_WORDS:
        return None
    return Routed(Route.HELP, text_render("help", **_clinic_names()))


def route_appointment_reply(message: InboundMessage) -> Routed | None:
    """C / YES / CONFIRM, R / RESCHEDULE and RIDE about the patient's next session."""
    from clinic.checkins.selectors import checkin_awaiting_answer
    from clinic.scheduling import replies  # scheduling imports messaging at load time

    word = keyword_of(message.body)
    if word == "YES" and checkin_awaiting_answer(phone=message.from_number) is not None:
        return None  # "yes" to a check-in question ("home safe?") answers the check-in
    if word in replies.CONFIRM_WORDS:
        return Routed(Route.CONFIRMATION, replies.reply_confirm(phone=message.from_number))
    if word in replies.RESCHEDULE_WORDS:
        return Routed(Route.CONFIRMATION, replies.reply_reschedule(phone=message.from_number))
    if word in replies.RIDE_WORDS:
        return Routed(Route.CONFIRMATION, replies.reply_ride(phone=message.from_number))
    return None


def route_checkin_answer(message: InboundMessage) -> Routed | None:
    """A reply to the patient's latest check-in: a score, or a clarifying question once; from a number several
    patients share, only when the check-ins waiting are one patient's."""
    from clinic.checkins.services import checkin_answer_receive  # checkins imports messaging at load time

    reply = checkin_answer_receive(message=message)
    return None if reply is None else Routed(Route.CHECKIN, reply.text, detail=reply.detail)


# The routing table, in order: the first route that claims a message answers it. Crisis language is
# always checked first. Appointment confirmations and check-in answers plug in before the inbox.
ROUTES: list[Callable[[InboundMessage], Routed | None]] = [
    route_crisis,
    route_opt_out,
    route_opt_in,
    route_help,
    route_appointment_reply,
    route_checkin_answer,
]


def inbound_route(message: InboundMessage) -> Routed:
    for route in ROUTES:
        routed = route(message)
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
