"""The base of every throttle: it counts per client address as clinic.core.client_ip reads it."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from .client_ip import client_ip


class ClientAddressThrottle(SimpleRateThrottle):
    """A rate limit per client address, whoever the caller is (subclasses set `scope`)."""

    def get_ident(self, request: Any) -> str:
        # DRF's own reading joins the whole X-Forwarded-For header when NUM_PROXIES is unset.
        return client_ip(request)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
