"""The link a session's reminder carries: the public address and /v/<token> (clinic.core.link_tokens)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def visit_link_url(token: str) -> str:
    """The full link for a text: the public address and /v/<token> (no name, no id)."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('visitlinks:visit', kwargs={'token': token})}"
