from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from rest_framework.test import APIClient

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_shared_cache() -> Iterator[None]:
    """Throttle counters live in the shared Redis cache (a test-only database); start each test clean."""
    cache.clear()
    yield
    cache.clear()


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
