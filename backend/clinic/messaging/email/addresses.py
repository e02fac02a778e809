"""Our email suppression list (unsubscribes, addresses that bounce), and whether we may email an address now."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..consent import email_consent_covers
from ..models import EmailAddressState, OutboundMessage


def email_normalize(address: str) -> str:
    return address.strip().lower()


def email_state(address: str) -> EmailAddressState | None:
    return EmailAddressState.objects.filter(email=email_normalize(address)).first()


def email_state_ensure(address: str) -> EmailAddressState:
    """The address's row, created on first use: its random key is what an unsubscribe link carries."""
    address = email_normalize(address)
    state = EmailAddressState.objects.filter(email=address).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return EmailAddressState.objects.create(email=address, unsubscribe_key=secrets.token_hex(16))
    except IntegrityError:  # created by a concurrent caller
        return EmailAddressState.objects.get(email=address)


def email_unsubscribe(*, state_id: int, source: str) -> EmailAddressState | None:
    """Stop every email to this address (kept as it was if already unsubscribed) and withdraw pending ones."""
    with transaction.atomic():
        state = EmailAddressState.objects.select_for_update().filter(id=state_id).first()
        if state is None:
            return None
        if state.unsubscribed_at is None:
            state.unsubscribed_at = timezone.now()
            state.unsubscribe_source = source[:20]
            state.save(update_fields=["unsubscribed_at", "unsubscribe_source", "updated_at"])
        OutboundMessage.objects.filter(
            channel=OutboundMessage.Channel.EMAIL,
            to_email__iexact=state.email,
            status__in=(OutboundMessage.Status.SCHEDULED, OutboundMessage.Status.QUEUED),
        ).update(status=OutboundMessage.Status.CANCELLED, suppressed_reason="unsubscribed", finished_at=timezone.now())
    return state


def email_resubscribe(*, address: str) -> EmailAddressState:
    """Staff record that the person asked for emails again."""
    state = email_state_ensure(address)
    state.unsubscribed_at = None
    state.unsubscribe_source = ""
    state.save(update_fields=["unsubscribed_at", "unsubscribe_source", "updated_at"])
    return state


def email_mark_undeliverable(*, address: str, code: int | None) -> EmailAddressState:
    """The receiving server refused this address for good: stop emailing it and flag it for staff."""
    state = email_state_ensure(address)
    state.undeliverable_at = timezone.now()
    state.undeliverable_code = code
    state.needs_staff_attention = True
    state.save(update_fields=["undeliverable_at", "undeliverable_code", "needs_staff_attention", "updated_at"])
    return state


def email_send_problem(message: OutboundMessage) -> str:
    """Why this email may not go to its address now ("" if it may): the one answer to "may we email this address".

    Asked when the row is written and again at send time: email on, not unsubscribed, deliverable, and
    the person agreed to emails at exactly this address.
    """
    if not settings.EMAIL_ENABLED:
        return "email is off (no EMAIL_URL)"
    state = email_state(message.to_email)
    if state is not None and state.is_unsubscribed:
        return "unsubscribed"
    if state is not None and state.undeliverable_at is not None:
        return "address undeliverable"
    if not email_consent_covers(message):
        return "no email consent"
    return ""
