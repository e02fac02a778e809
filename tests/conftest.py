from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.utils import translation
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer
from rest_framework.test import APIClient

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from tests.factories import UserFactory
from tests.support.processes import CeleryWorker
from tests.support.stack import process_env


@pytest.fixture(autouse=True)
def _clear_shared_cache() -> Iterator[None]:
    """Throttle counters live in the shared Redis cache (a test-only database); start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """LocaleMiddleware activates a request's language in the test's thread and never deactivates it:
    start and end each test in the default language, so no test reads another's."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def front_desk(db: None) -> AbstractBaseUser:
    return UserFactory(username="frontdesk", role=FRONT_DESK)


@pytest.fixture
def clinician(db: None) -> AbstractBaseUser:
    return UserFactory(username="clinician", role=CLINICIAN)


@pytest.fixture
def clinic_admin(db: None) -> AbstractBaseUser:
    return UserFactory(username="clinicadmin", role=CLINIC_ADMIN)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as(db: None) -> Callable[[AbstractBaseUser], APIClient]:
    def make(user: AbstractBaseUser) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


def pytest_configure(config: pytest.Config) -> None:
    # The live server stands in for Twilio and takes the worker's concurrent sends and the callbacks at
    # once. Django's test server listens with a backlog of 10: on a loaded machine the overflow is dropped
    # and a send ends "no answer", which the service rightly treats as an unknown outcome and sends again,
    # but then a test cannot count requests exactly. A provider's backlog is far deeper than ours.
    WSGIServer.request_queue_size = 256


@pytest.fixture
def sandbox_live(live_server: LiveServer, settings: Settings) -> Iterator[str]:
    """The live server as Twilio's API (the sandbox) and as the public URL its callbacks reach."""
    from clinic.messaging.sandbox.callbacks import sandbox_callbacks_drain

    settings.PUBLIC_BASE_URL = live_server.url
    settings.TWILIO_API_URL = live_server.url
    settings.SMS_SANDBOX_CALLBACK_DELAY_SECONDS = 0.01
    yield live_server.url
    sandbox_callbacks_drain(30.0)


@pytest.fixture
def worker(sandbox_live: str, tmp_path: Path) -> Iterator[CeleryWorker]:
    """A real `celery worker` on the test database and Redis, texting through the live sandbox."""
    process = CeleryWorker(process_env(sandbox_live, tmp_path / "var"), tmp_path / "worker.log")
    process.start()
    yield process
    process.stop()
