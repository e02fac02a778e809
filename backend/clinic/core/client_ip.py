from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the caller's address, trusting X-Forwarded-For only for NUM_PROXIES hops."""
    remote_addr = str(request.META.get("REMOTE_ADDR", "") or "")
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    proxies = int(settings.NUM_PROXIES)
    if proxies and forwarded:
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if hops:
            return hops[-min(proxies, len(hops))][:45]
    return remote_addr[:45]
