from __future__ import annotations

import ipaddress

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from .actor import Actor
from .models import AuditEvent


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    detail: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. `detail` names what changed, never the values themselves."""
    if target is not None:
        target_type = target._meta.label
        target_id = str(target.pk)
    return AuditEvent.objects.create(
        actor=actor if isinstance(actor, User) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail[:200],
        ip_address=_valid_ip(ip_address),
    )


def audit_by(
    actor: Actor,
    *,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    detail: str = "",
) -> AuditEvent:
    """Append one audit event for an Actor (user and address) taken from a request."""
    return audit_record(
        actor=actor.user,
        action=action,
        target=target,
        target_type=target_type,
        target_id=target_id,
        detail=f"{detail} (by {actor.via})"[:200] if actor.via else detail,
        ip_address=actor.ip,
    )
