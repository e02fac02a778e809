"""The one answer to "which address is this request from": throttles, sign-in lockouts and the audit trail."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request


def _normalised(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | Request) -> str:
    """Return the caller's address, reading X-Forwarded-For only as far as TRUSTED_PROXY_COUNT proxies wrote it.

    Each trusted proxy appends the address it received the request from, so with n proxies the
    n-th entry from the right was written by the outermost one, and everything to its left is
    whatever the client sent. With no trusted proxy (the default) the header is ignored: anyone
    can send it.
    """
    remote_addr = _normalised(str(request.META.get("REMOTE_ADDR", "") or "")) or ""
    proxies = int(settings.TRUSTED_PROXY_COUNT)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    if proxies <= 0 or not forwarded:
        return remote_addr
    hops = [part.strip() for part in forwarded.split(",")]
    # Fewer entries than proxies: the request skipped the outer proxies; take the leftmost a proxy wrote.
    chosen = hops[-min(proxies, len(hops))]
    return _normalised(chosen) or remote_addr
