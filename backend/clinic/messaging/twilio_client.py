"""The Twilio SDK client, pointed at TWILIO_API_URL (Twilio itself, the SMS sandbox, or a test double)."""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

TWILIO_DEFAULT_API_URL = "https://api.twilio.com"


class ApiUrlHttpClient(TwilioHttpClient):
    """Send the SDK's requests for api.twilio.com to another base URL, leaving everything else as is."""

    def __init__(self, api_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_url = urlsplit(api_url.rstrip("/"))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        if parts.netloc == "api.twilio.com":
            base_path = self.api_url.path.rstrip("/")
            url = urlunsplit(
                (self.api_url.scheme, self.api_url.netloc, base_path + parts.path, parts.query, parts.fragment)
            )
        return super().request(method, url, *args, **kwargs)


def twilio_client_build(*, api_url: str | None = None, timeout: float = 10.0) -> Client:
    """A Twilio REST client with our credentials, talking to TWILIO_API_URL."""
    api_url = api_url or settings.TWILIO_API_URL
    http_client = (
        TwilioHttpClient(timeout=timeout)
        if api_url.rstrip("/") == TWILIO_DEFAULT_API_URL
        else ApiUrlHttpClient(api_url, timeout=timeout)
    )
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


# One client per thread: the SDK's HTTP client keeps the last response on itself, so a client shared
# by threads can hand one thread another's answer.
_per_thread = threading.local()


def twilio_client_shared() -> Client:
    """One client per process, thread and configuration, so sends reuse its HTTP connection (and TLS session).

    Keyed by process id too: a client made before a worker forks is never shared with its children.
    """
    key = (os.getpid(), settings.TWILIO_API_URL, settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    cached: tuple[tuple[int, str, str, str], Client] | None = getattr(_per_thread, "client", None)
    if cached is None or cached[0] != key:
        cached = (key, twilio_client_build(api_url=key[1]))
        _per_thread.client = cached
    return cached[1]
