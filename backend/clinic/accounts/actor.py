from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from clinic.core.client_ip import client_ip


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from where: what services need to audit a change."""

    user: User | AnonymousUser | None
    ip: str | None = None
    # Who acted when no staff member did, as the audit trail names them, e.g. "the patient, by link".
    via: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        return cls(user=getattr(request, "user", None), ip=client_ip(request))

    @property
    def user_or_none(self) -> User | None:
        return self.user if isinstance(self.user, User) else None
