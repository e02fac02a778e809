"""Unsubscribe links: a signed random key (never the address: a signed value is only base64), and its check."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ..models import EmailAddressState

SALT = "clinic.messaging.email.unsubscribe"


def unsubscribe_token(state: EmailAddressState) -> str:
    return signing.dumps(state.unsubscribe_key, salt=SALT, compress=False)


def unsubscribe_url(state: EmailAddressState) -> str:
    path = reverse("email-unsubscribe", kwargs={"token": unsubscribe_token(state)})
    return f"{settings.PUBLIC_BASE_URL}{path}"


def unsubscribe_state_for(token: str) -> EmailAddressState | None:
    """The address row a token names, or None when the token is tampered with, expired or names nothing."""
    try:
        key = signing.loads(token, salt=SALT, max_age=timedelta(days=settings.EMAIL_UNSUBSCRIBE_MAX_AGE_DAYS))
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(key, str):
        return None
    return EmailAddressState.objects.filter(unsubscribe_key=key).first()
