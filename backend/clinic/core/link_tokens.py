"""The token in a link a patient or a visitor opens without signing in (a session's page, a questionnaire,
a self-booking offer): random, single-purpose, and kept only as its SHA-256.

Why random and not signed: a signed token carries what it names (an id, an expiry) and a signature, so it
is longer (about 40 characters with Django's signing) and cannot be withdrawn. 16 random bytes (128 bits,
22 URL-safe characters) cannot be guessed and stay short in a text where every character counts; the row
the digest finds says what the link opens and until when.
"""

from __future__ import annotations

import hashlib
import re
import secrets

LINK_TOKEN_BYTES = 16
# What a token looks like: anything else is answered as an unknown link without asking the database.
LINK_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def link_token_new(nbytes: int = LINK_TOKEN_BYTES) -> str:
    return secrets.token_urlsafe(nbytes)


def link_token_digest(token: str) -> str:
    """The SHA-256 (hex) of a link's token: the only form in which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_token_well_formed(token: str) -> bool:
    return bool(LINK_TOKEN_SHAPE.fullmatch(token))
