"""The processes of one end-to-end test: Celery workers and beat on the test database, sending to the live sandbox."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.support.processes import REPO, CeleryBeat, CeleryWorker, RedisServer, start_all, stop_all

# What pg_terminate_backend aims at: only the worker processes of the fault tests, on the test database.
WORKER_APPLICATION_NAME = "clinic-faults-worker"


def child_database_url(*, application_name: str = "") -> str:
    """The URL of the test database this process uses (pytest-django's), for a child process."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"{url}?application_name={application_name}" if application_name else url


def process_env(sandbox_url: str, var_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a worker or beat on the test database and Redis, texting through the sandbox at
    `sandbox_url` (the live server), with retries quick enough for a test."""
    return {
        **os.environ,
        "PYTHONPATH": f"{REPO / 'backend'}:{REPO}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": str(settings.REDIS_URL),
        "PUBLIC_BASE_URL": sandbox_url,
        "TWILIO_API_URL": sandbox_url,
        "SMS_BACKEND": "sandbox",
        "SMS_RATE_PER_SECOND": "500",
        "SMS_RETRY_BASE_SECONDS": "0.2",
        "SMS_RETRY_MAX_SECONDS": "1",
        "VAR_DIR": str(var_dir),
        **overrides,
    }


class Stack:
    """The processes of one fault test; every one it started is stopped when the test ends."""

    def __init__(self, sandbox_url: str, folder: Path) -> None:
        self.sandbox_url = sandbox_url
        self.folder = folder
        self.redis_url = str(settings.REDIS_URL)
        self.workers: list[CeleryWorker] = []
        self.beats: list[CeleryBeat] = []
        self.redis_servers: list[RedisServer] = []

    def env(self, **overrides: str) -> dict[str, str]:
        fault_test_settings = {
            "DATABASE_URL": child_database_url(application_name=WORKER_APPLICATION_NAME),
            "REDIS_URL": self.redis_url,
            # Above what one worker reaches here, so the limiter paces dispatch without stalling it.
            "SMS_RATE_PER_SECOND": "200",
            "SMS_DISPATCH_INTERVAL_SECONDS": "0.5",
            # Short enough that abandoned rows come back within the test, long above a normal send.
            "SMS_SENDING_STALE_SECONDS": "3",
            "SMS_QUEUED_STALE_SECONDS": "10",
        }
        return process_env(self.sandbox_url, self.folder / "var", **{**fault_test_settings, **overrides})

    def own_redis(self) -> RedisServer:
        """Start a Redis server of this test's own and point every process started after it there."""
        server = RedisServer(self.folder / f"redis-{len(self.redis_servers)}")
        self.redis_servers.append(server)
        server.start()
        self.redis_url = server.url
        return server

    def worker(self, **overrides: str) -> CeleryWorker:
        """A worker with these settings, started by the next `start()`."""
        process = CeleryWorker(self.env(**overrides), self.folder / f"worker-{len(self.workers)}.log")
        self.workers.append(process)
        return process

    def beat(self, **overrides: str) -> CeleryBeat:
        """A beat with these settings, started by the next `start()`."""
        process = CeleryBeat(self.env(**overrides), self.folder / f"beat-{len(self.beats)}")
        self.beats.append(process)
        return process

    def start(self) -> None:
        """Start every worker and beat not started yet, side by side."""
        start_all(p for p in [*self.workers, *self.beats] if p.process is None)

    def stop(self) -> None:
        stop_all([*self.beats, *self.workers])
        for server in self.redis_servers:
            server.kill()
