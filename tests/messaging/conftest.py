"""Fixtures of the messaging tests that speak to a provider double at the HTTP boundary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from tests.support.processes import free_port
from tests.support.provider_double import ProviderDouble


@pytest.fixture
def double(sandbox_live: str, settings: Settings) -> Iterator[ProviderDouble]:
    """A provider double in front of the live sandbox: the real Twilio SDK talks to it over HTTP."""
    provider = ProviderDouble(sandbox_live)
    provider.start()
    settings.TWILIO_API_URL = provider.url
    yield provider
    provider.stop()


@pytest.fixture
def no_callbacks(sandbox_live: str, settings: Settings) -> None:
    """Status callbacks go nowhere (nothing listens there): only a lookup at the provider can settle a row."""
    settings.PUBLIC_BASE_URL = f"http://127.0.0.1:{free_port()}"
