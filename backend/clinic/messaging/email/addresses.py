"""Our email suppression list (unsubscribes, addresses that bounce), and whether we may email an address now."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..consent import email_consent_covers
from ..models import EmailAddressState, OutboundMessage

_READ = object()  # "look the address's state up"; a caller that already read it passes it (or None)


def email_normalize(address: str) -> str:
    return address.strip().lower()


def email_state(address: str) -> EmailAddressState | None:
    return EmailAddressState.objects.filter(email=email_normalize(address)).first()


def email_state_ensure(address: str) -> EmailAddressState:
    """The address's row, created on first use: its random key is what an unsubscribe link carries."""
    state, _ = EmailAddressState.objects.get_or_create(
        email=email_normalize(address), defaults={"unsubscribe_key": secrets.token_hex(16)}
    )
    return state


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


def email_mark_undeliverable(*, address: str, code: int | None) -> EmailAddressState:
    """The receiving server refused this address for good: stop emailing it and flag it for staff."""
    state = email_state_ensure(address)
    state.undeliverable_at = timezone.now()
    state.undeliverable_code = code
    state.needs_staff_attention = True
    state.save(update_fields=["undeliverable_at", "undeliverable_code", "needs_staff_attention", "updated_at"])
    return state


def email_refusal(*, address: str, consented: bool, state: EmailAddressState | object | None = _READ) -> str:
    """May we email this address? "" if we may, else why not: the one answer, for a row being written or
    sent and for a patient's page. Email on, an address, not unsubscribed, deliverable, and the person
    agreed to emails at exactly this address."""
    if not settings.EMAIL_ENABLED:
        return "email is off (no EMAIL_URL)"
    if not address:
        return "no email address"
    address_state = email_state(address) if state is _READ else state
    if isinstance(address_state, EmailAddressState):
        if address_state.is_unsubscribed:
            return "unsubscribed"
        if address_state.undeliverable_at is not None:
            return "address undeliverable"
    if not consented:
        return "no email consent"
    return ""


def email_send_problem(message: OutboundMessage) -> str:
    """email_refusal for an outbox row: consent is the patient's or inquirer's, for the row's address."""
    return email_refusal(address=message.to_email, consented=email_consent_covers(message))
