"""Fault tests: a real worker, beat and (where it must die) Redis of their own, sending to the live sandbox."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import ClinicFactory
from tests.faults.processes import BeatProcess, RedisServer
from tests.live import REPO, WorkerProcess

# What pg_terminate_backend aims at: only the worker processes of these tests, on the test database.
WORKER_APPLICATION_NAME = "clinic-faults-worker"


class Stack:
    """The processes of one fault test; every one it started is stopped when the test ends."""

    def __init__(self, sandbox_url: str, folder: Path) -> None:
        self.sandbox_url = sandbox_url
        self.folder = folder
        self.redis_url = str(settings.REDIS_URL)
        self.workers: list[WorkerProcess] = []
        self.beats: list[BeatProcess] = []
        self.redis_servers: list[RedisServer] = []

    def env(self, **overrides: str) -> dict[str, str]:
        db = connection.settings_dict
        return {
            **os.environ,
            "PYTHONPATH": f"{REPO / 'backend'}:{REPO}",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
                f"?application_name={WORKER_APPLICATION_NAME}"
            ),
            "REDIS_URL": self.redis_url,
            "PUBLIC_BASE_URL": self.sandbox_url,
            "TWILIO_API_URL": self.sandbox_url,
            "SMS_BACKEND": "sandbox",
            # Above what one worker reaches here, so the limiter paces dispatch without stalling it.
            "SMS_RATE_PER_SECOND": "200",
            "SMS_DISPATCH_INTERVAL_SECONDS": "0.5",
            "SMS_RETRY_BASE_SECONDS": "0.2",
            "SMS_RETRY_MAX_SECONDS": "1",
            # Short enough that abandoned rows come back within the test, long above a normal send.
            "SMS_SENDING_STALE_SECONDS": "3",
            "SMS_QUEUED_STALE_SECONDS": "10",
            "VAR_DIR": str(self.folder / "var"),
            **overrides,
        }

    def own_redis(self) -> RedisServer:
        """Start a Redis server of this test's own and point every process started after it there."""
        server = RedisServer(self.folder / f"redis-{len(self.redis_servers)}")
        server.start()
        self.redis_servers.append(server)
        self.redis_url = server.url
        return server

    def worker(self, **overrides: str) -> WorkerProcess:
        """A worker with these settings, started by the next `start()`."""
        process = WorkerProcess(self.env(**overrides), self.folder / f"worker-{len(self.workers)}.log")
        self.workers.append(process)
        return process

    def beat(self, **overrides: str) -> BeatProcess:
        """A beat with these settings, started by the next `start()`."""
        process = BeatProcess(self.env(**overrides), self.folder / f"beat-{len(self.beats)}")
        self.beats.append(process)
        return process

    def start(self) -> None:
        """Start every worker and beat not started yet, side by side (each takes seconds to import Django)."""
        waiting = [p for p in [*self.workers, *self.beats] if p.process is None]
        with ThreadPoolExecutor(max_workers=max(1, len(waiting))) as pool:
            for started in [pool.submit(process.start) for process in waiting]:
                started.result()

    def stop(self) -> None:
        with ThreadPoolExecutor(max_workers=max(1, len(self.workers) + len(self.beats))) as pool:
            for stopped in [pool.submit(process.stop) for process in [*self.beats, *self.workers]]:
                stopped.result()
        for server in self.redis_servers:
            server.kill()


@pytest.fixture
def stack(sandbox_live: str, transactional_db: None, tmp_path: Path) -> Iterator[Stack]:
    processes = Stack(sandbox_live, tmp_path)
    yield processes
    processes.stop()


@pytest.fixture(autouse=True)
def _texting_all_day(transactional_db: None) -> None:
    # The processes run on the wall clock; a clinic that texts around the clock keeps these tests timeless.
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))
