"""Clocks: the clinic's time zone, times in it, and moving a worker process's clock with the test's (time-machine)."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable

import time_machine

from clinic.messaging.outbox import outbox_claim_due
from tests.support.processes import CeleryWorker, wait_until

NY = zoneinfo.ZoneInfo("America/New_York")
# A child process started with this variable set runs on a clock moved there, and ticking
# (config/settings/test.py starts time-machine at it).
PROCESS_CLOCK_ENV = "TEST_FAKE_NOW"


def local(*args: int) -> datetime.datetime:
    """A moment in New York, the test clinic's time zone: local(2026, 12, 7, 12) is Monday 7 December, noon."""
    return datetime.datetime(*args, tzinfo=NY)


def worker_restart_at(worker: CeleryWorker, moment: datetime.datetime) -> None:
    """Stop the worker, then start it again with its clock moved to `moment` (and ticking)."""
    worker.stop()
    worker.env[PROCESS_CLOCK_ENV] = moment.isoformat()
    worker.start()


def beat_play_at(worker: CeleryWorker, moment: datetime.datetime, done: Callable[[], bool], what: str) -> None:
    """Move the worker's and the test's clocks to `moment`, then dispatch due rows (as beat would) until `done()`."""
    worker_restart_at(worker, moment)
    with time_machine.travel(moment, tick=True):

        def step() -> bool:
            outbox_claim_due(limit=100)
            return done()

        wait_until(step, timeout=60, what=what, interval=0.2)
