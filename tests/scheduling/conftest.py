"""The calendar most scheduling tests book against: one clinic, Dr. Ada Stone (Mon-Fri 09-17), two chairs."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine

from clinic.core.models import Clinic
from clinic.scheduling.models import Provider, Room
from tests.factories import ClinicFactory, ProviderFactory, RoomFactory
from tests.support.clock import NY

# Tuesday 1 December 2026, 08:00 in New York: "now" for tests that use the frozen_now fixture.
FROZEN_NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=NY)


@pytest.fixture
def frozen_now() -> Iterator[None]:
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def clinic() -> Clinic:
    return ClinicFactory()


@pytest.fixture
def provider(clinic: Clinic) -> Provider:
    return ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone")


@pytest.fixture
def chair(clinic: Clinic) -> Room:
    return RoomFactory(clinic=clinic, name="Chair A")


@pytest.fixture
def chair_b(clinic: Clinic) -> Room:
    return RoomFactory(clinic=clinic, name="Chair B")
