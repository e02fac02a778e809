"""A patient's YES to a waitlist offer: "YES 4821", "yes, 4821", "SI 4821", "sí 4821" (an inbound route); and
"NO 4821", which lets the time go to the next patient sooner.

Read after opt-in (20) and help (30), before a YES to a waiting check-in (40): a YES with a code is only ever
an answer to an offer. A text with a YES and a number is claimed only from a number we sent an offer to
lately; anyone else's goes on to the other routes as before.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.core.clinics import clinic_text_values
from clinic.messaging.inbound import YES_WORDS, Routed, keywords_of, reply_language
from clinic.messaging.models import InboundMessage
from clinic.messaging.texts import text_render
from clinic.scheduling.session_time import session_time_values

from .models import WaitlistOffer
from .offers import Outcome, offer_accept, offer_decline

# How long after an offer a "YES <digits>" from its number is read as an answer to it.
RECENT_OFFERS = datetime.timedelta(days=14)
_GLUED = re.compile(r"^(YES|SI|NO)(\d{1,8})$")  # "YES4821"
_DIGITS = re.compile(r"^\d{1,8}$")
NO_WORDS = frozenset({"NO"})


def _answer_word(word: str) -> bool | None:
    return True if word in YES_WORDS else False if word in NO_WORDS else None


def offer_answer_in(body: str) -> tuple[bool, str] | None:
    """(yes?, code) of a "YES <code>" or "NO <code>" reply (accents folded, courtesy dropped), else None."""
    words = keywords_of(body)
    if len(words) == 1:
        glued = _GLUED.match(words[0])
        return (glued.group(1) != "NO", glued.group(2)) if glued else None
    if len(words) == 2:
        for word, code in (words, words[::-1]):
            answer = _answer_word(word)
            if answer is not None and _DIGITS.match(code):
                return answer, code
    return None


def offer_code_in(body: str) -> str | None:
    """The code of a "YES <code>" reply, or None if it is not one."""
    found = offer_answer_in(body)
    return found[1] if found is not None and found[0] else None


def route_offer_yes(message: InboundMessage) -> Routed | None:
    found = offer_answer_in(message.body)
    if found is None:
        return None
    yes, code = found
    offers = WaitlistOffer.objects.filter(
        to_number=message.from_number, created_at__gte=timezone.now() - RECENT_OFFERS
    ).select_related("slot__clinic", "slot__session_type", "entry__patient")
    if not offers.exists():
        return None
    language = reply_language(message)
    # An open offer with that code first; else the latest one that carried it (expired, taken).
    offer = offers.filter(code=code, status=WaitlistOffer.Status.OPEN).first() or offers.filter(code=code).first()
    if offer is None:
        latest = offers.first()
        clinic = latest.slot.clinic if latest is not None else message.clinic
        reply = text_render("waitlist_wrong_code", language=language, code=code, **clinic_text_values(clinic))
        return Routed(InboundMessage.Route.CONFIRMATION, reply, detail=f"waitlist: no offer with code {code}")
    accepted = offer_accept(offer_id=offer.pk, actor=Actor(user=None)) if yes else offer_decline(offer_id=offer.pk)
    values = clinic_text_values(offer.slot.clinic)
    if accepted.appointment is not None:
        appointment = accepted.appointment
        values |= {"first_name": appointment.patient.first_name, **session_time_values(appointment, language)}
    name = {
        Outcome.BOOKED: "waitlist_booked",
        Outcome.MOVED: "waitlist_moved",
        Outcome.ALREADY: "waitlist_already",
        Outcome.TAKEN: "waitlist_taken",
        Outcome.EXPIRED: "waitlist_expired",
        Outcome.DECLINED: "waitlist_declined",
    }.get(accepted.outcome, "waitlist_unavailable")
    return Routed(
        InboundMessage.Route.CONFIRMATION,
        text_render(name, language=language, **values),
        detail=f"waitlist offer #{offer.pk}: {accepted.outcome}",
    )
