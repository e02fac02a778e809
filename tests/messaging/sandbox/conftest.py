from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer
from twilio.rest import Client

from tests.support.processes import free_port

# The sandbox app exists only when SMS_BACKEND=sandbox (the default); without it there is nothing to test.
if not settings.SMS_SANDBOX_ENABLED:
    collect_ignore_glob = ["test_*.py"]

# Short, so the module stays fast; the default (0.2 s) is exercised where timing matters.
CALLBACK_DELAY_SECONDS = 0.02


@pytest.fixture
def sandbox_url(live_server: LiveServer, settings: Settings) -> Iterator[str]:
    """The live server's URL, with the test receivers mounted and PUBLIC_BASE_URL pointing at it."""
    from clinic.messaging.sandbox.callbacks import sandbox_callbacks_drain

    from .urls import received_clear

    settings.ROOT_URLCONF = "tests.messaging.sandbox.urls"
    settings.PUBLIC_BASE_URL = live_server.url
    settings.SMS_SANDBOX_CALLBACK_DELAY_SECONDS = CALLBACK_DELAY_SECONDS
    received_clear()
    yield live_server.url
    # Leave no delivery running into the next test's database.
    assert sandbox_callbacks_drain(10.0)


@pytest.fixture
def twilio(sandbox_url: str) -> Client:
    from clinic.messaging.twilio_client import twilio_client_build

    return twilio_client_build(api_url=sandbox_url)


@pytest.fixture
def closed_port_url() -> str:
    """A local URL nothing listens on (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"
