from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.selfbooking.world import MONDAY_8AM, World, world_build


@pytest.fixture
def monday() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY_8AM, tick=False) as clock:
        yield clock


@pytest.fixture
def world(db: None, monday: time_machine.Coordinates) -> World:
    return world_build()
