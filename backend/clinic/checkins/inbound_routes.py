"""How texts reach check-ins: answers to a waiting check-in, and "YES" while one waits (inbound routes)."""

from __future__ import annotations

from clinic.messaging.inbound import Routed, reply_is_yes
from clinic.messaging.models import InboundMessage

from .selectors import checkin_awaiting_answer
from .services import checkin_answer_receive


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
