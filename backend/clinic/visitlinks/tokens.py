"""The token in a session's link: random, single-purpose, kept only as its SHA-256.

Why a random token and not a signed one: a signed token carries what it names (an id, an expiry) and a
signature, and is longer for it (about 40 characters with Django's signing against 22 here), and it cannot
be withdrawn. 16 random bytes (128 bits, 22 URL-safe characters) cannot be guessed, stay short in a text
where every character counts, and a row says which session it opens; the session's own start is its expiry.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.urls import reverse

TOKEN_BYTES = 16
# What a token looks like: anything else is answered as an unknown link without asking the database.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_well_formed(token: str) -> bool:
    return bool(TOKEN_SHAPE.fullmatch(token))


def visit_link_url(token: str) -> str:
    """The full link for a text: the public address and /v/<token> (no name, no id)."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('visitlinks:visit', kwargs={'token': token})}"
