from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.waitlist.world import NOW, World, world_build


@pytest.fixture
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db: None, frozen_now: None) -> World:
    return world_build()
