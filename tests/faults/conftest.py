"""Fault tests: a real worker, beat and (where it must die) Redis of their own, sending to the live sandbox."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import ClinicFactory
from tests.support.stack import Stack


@pytest.fixture
def stack(sandbox_live: str, transactional_db: None, tmp_path: Path) -> Iterator[Stack]:
    processes = Stack(sandbox_live, tmp_path)
    yield processes
    processes.stop()


@pytest.fixture(autouse=True)
def _texting_all_day(transactional_db: None) -> None:
    # The processes run on the wall clock; a clinic that texts around the clock keeps these tests timeless.
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))
