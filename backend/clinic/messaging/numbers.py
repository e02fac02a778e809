"""Our suppression list: opt-outs, opt-ins and numbers carriers cannot reach."""

from __future__ import annotations

from django.utils import timezone

from .models import PhoneNumberState


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
