"""Our suppression list (opt-outs, opt-ins, numbers carriers cannot reach), and whether a number may be texted now."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import PhoneNumberState
from .texting_hours import TextingWindow


def number_state(phone: str) -> PhoneNumberState | None:
    return PhoneNumberState.objects.filter(phone=phone).first()


def number_opt_out(*, phone: str, keyword: str) -> PhoneNumberState:
    state, _ = PhoneNumberState.objects.get_or_create(phone=phone)
    state.opted_out_at = timezone.now()
    state.opt_out_keyword = keyword[:100]
    state.save(update_fields=["opted_out_at", "opt_out_keyword", "updated_at"])
    return state


def number_opt_in(*, phone: str) -> PhoneNumberState:
    state, _ = PhoneNumberState.objects.get_or_create(phone=phone)
    state.opted_out_at = None
    state.opt_out_keyword = ""
    state.opted_in_at = timezone.now()
    state.save(update_fields=["opted_out_at", "opt_out_keyword", "opted_in_at", "updated_at"])
    return state


def number_mark_undeliverable(*, phone: str, code: int | None) -> PhoneNumberState:
    """A carrier said this number cannot get texts: stop texting it and flag it for staff."""
    state, _ = PhoneNumberState.objects.get_or_create(phone=phone)
    state.undeliverable_at = timezone.now()
    state.undeliverable_code = code
    state.needs_staff_attention = True
    state.save(update_fields=["undeliverable_at", "undeliverable_code", "needs_staff_attention", "updated_at"])
    return state


def number_is_opted_out(phone: str) -> bool:
    return PhoneNumberState.objects.filter(phone=phone, opted_out_at__isnull=False).exists()


@dataclass(frozen=True)
class TextingRefusal:
    """Why a text may not go to a number: for good (`later` False) or only not now (outside texting hours)."""

    reason: str
    later: bool = False


_READ = object()  # "look the number's state up"; a batch passes the state it already read (or None)


def texting_refusal(
    *,
    phone: str,
    consented: bool,
    state: PhoneNumberState | object | None = _READ,
    window: TextingWindow | None = None,
    at: datetime.datetime | None = None,
) -> TextingRefusal | None:
    """May we text this number now? None if we may; else why not.

    The one answer, asked when a text is written and again when it is sent: a number with no consent
    for it, opted out or undeliverable never gets a text; outside the person's texting `window` (None
    for texts exempt from hours: a direct answer, a page to staff) it waits.
    """
    if not phone:
        return TextingRefusal("no number")
    number_state_now = number_state(phone) if state is _READ else state
    if isinstance(number_state_now, PhoneNumberState):
        if number_state_now.is_opted_out:
            return TextingRefusal("opted out")
        if number_state_now.undeliverable_at is not None:
            return TextingRefusal("number undeliverable")
    if not consented:
        return TextingRefusal("no SMS consent")
    if window is not None and not window.allows(at or timezone.now()):
        return TextingRefusal("outside texting hours", later=True)
    return None
