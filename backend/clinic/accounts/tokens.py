"""Staff API tokens: issued once, stored as a hash, checked in constant time, revocable."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from .actor import Actor
from .models import ApiToken, AuditEvent
from .services import audit_by

PREFIX_LENGTH = 8
# A token's last use is written at most this often, so a busy client does not write on every call.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def api_token_hash(key: str) -> str:
    # The key is 160 random bits: a fast hash is as safe as a slow one, and costs nothing per request.
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user: User, by: Actor | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with its key, which is never shown again."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(user=user, prefix=key[:PREFIX_LENGTH], key_hash=api_token_hash(key))
    audit_by(by or Actor(user=user), action=AuditEvent.Action.CREATE, target=token, detail="API token issued")
    return token, key


def api_token_find(key: str) -> ApiToken | None:
    """The active token whose key this is, compared in constant time."""
    if not key or len(key) < PREFIX_LENGTH:
        return None
    wanted = api_token_hash(key)
    found = None
    for token in ApiToken.objects.select_related("user").filter(prefix=key[:PREFIX_LENGTH], revoked_at__isnull=True):
        if hmac.compare_digest(token.key_hash, wanted):
            found = token
    return found


def api_token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def api_token_revoke(*, token: ApiToken, by: Actor) -> bool:
    """Revoke a token (idempotent: True only for the call that revoked it)."""
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()) != 1:
        return False
    audit_by(by, action=AuditEvent.Action.UPDATE, target=token, detail="API token revoked")
    return True
