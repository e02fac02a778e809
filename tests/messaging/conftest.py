from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

REPO = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll `check` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class WorkerProcess:
    """A real `celery worker` on the test database and the test Redis, sending to the live sandbox."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    CELERY,
                    "-A",
                    "workers",
                    "worker",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    "--without-mingle",
                    "--without-gossip",
                    "-n",
                    f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
                ],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(lambda: b"ready." in self.log.read_bytes(), timeout=60, what="the celery worker to start")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as a crash or an OOM kill would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


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
def worker(sandbox_live: str, tmp_path: Path) -> Iterator[WorkerProcess]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO / 'backend'}:{REPO}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "PUBLIC_BASE_URL": sandbox_live,
        "TWILIO_API_URL": sandbox_live,
        "SMS_BACKEND": "sandbox",
        "SMS_RATE_PER_SECOND": "500",
        "SMS_RETRY_BASE_SECONDS": "0.2",
        "SMS_RETRY_MAX_SECONDS": "1",
        "VAR_DIR": str(tmp_path / "var"),
    }
    process = WorkerProcess(env, tmp_path / "worker.log")
    process.start()
    yield process
    process.stop()
