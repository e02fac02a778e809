"""How texts reach check-ins: answers to a waiting check-in, and "YES" while one waits (inbound routes)."""

from __future__ import annotations

from clinic.messaging.inbound import HELP_WORDS, Routed, keyword_of, reply_is_yes
from clinic.messaging.models import InboundMessage

from .models import CheckInKind
from .selectors import checkin_awaiting_answer
from .services import checkin_answer_receive


def route_help_while_home_safe_waits(message: InboundMessage) -> Routed | None:
    """HELP or AYUDA in answer to "are you home safe?" may be a person in trouble, not a request for our
    number: it answers the check-in (not home safe: a clinician calls, and the reply names 911), ahead of
    the help keyword's standard answer."""
    if keyword_of(message.body) not in HELP_WORDS:
        return None
    waiting = checkin_awaiting_answer(phone=message.from_number)
    if waiting is None or waiting.kind != CheckInKind.HOME_SAFE:
        return None
    return route_checkin_answer(message)


def route_yes_to_checkin(message: InboundMessage) -> Routed | None:
    """A bare "YES" or "sí" while a check-in waits answers the check-in ("home safe?"), never the next session's
    reminder; if the check-in cannot take it (a shared number), it goes to staff rather than confirming."""
    if not reply_is_yes(message.body) or checkin_awaiting_answer(phone=message.from_number) is None:
        return None
    return route_checkin_answer(message) or Routed(InboundMessage.Route.INBOX)


def route_checkin_answer(message: InboundMessage) -> Routed | None:
    """A reply to the patient's latest check-in: a score, or a clarifying question once; from a number several
    patients share, only when the check-ins waiting are one patient's."""
    reply = checkin_answer_receive(message=message)
    return None if reply is None else Routed(InboundMessage.Route.CHECKIN, reply.text, detail=reply.detail)
