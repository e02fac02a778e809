"""The embedded default boots: SQLite, the filesystem broker and the file cache, all under VAR_DIR.

These tests start real processes (migrate, runserver, a Celery worker with embedded beat) with
DATABASE_URL and REDIS_URL removed from their environment, as `make run` does on a fresh clone.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import REPO, VENV_BIN, CeleryWorker, ChildProcess, free_port, wait_until
from tests.support.settings_env import embedded_env

pytestmark = pytest.mark.slow

# Beat first sends the heartbeat one interval (30 s) after it starts; allow for a slow machine.
HEARTBEAT_TIMEOUT = 60.0


class DevServer(ChildProcess):
    """`manage.py runserver` on a free port, ready once /healthz answers 200."""

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        self.port = free_port()
        command = [str(VENV_BIN / "python"), "backend/manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        super().__init__(command, env=env, log=log, name="runserver")

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_json(self, path: str, timeout: float = 10.0) -> tuple[int, dict[str, Any]]:
        status, body = self.get(path, timeout=timeout)
        return status, json.loads(body)

    def ready(self) -> bool:
        try:
            return self.get("/healthz", timeout=2)[0] == 200
        except OSError:
            return False


def migrate(env: dict[str, str], log: Path) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "backend/manage.py", "migrate", "--noinput"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"migrate failed:\n{result.stdout}\n{result.stderr}"


def runserver(env: dict[str, str], log_dir: Path) -> Iterator[DevServer]:
    server = DevServer(env, log_dir / "web.log")
    try:
        server.start()
        yield server
    finally:
        server.stop(grace=15.0)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedded-var")


@pytest.fixture(scope="module")
def embedded_server(var_dir: Path) -> Iterator[DevServer]:
    env = embedded_env(var_dir)
    migrate(env, var_dir / "migrate.log")
    yield from runserver(env, var_dir)


def test_web_boots_on_sqlite_and_the_filesystem_broker(embedded_server: DevServer, var_dir: Path) -> None:
    status, body = embedded_server.get_json("/readyz")

    assert status == 200, body
    assert body["checks"] == {"database": "ok", "broker": "ok"}
    assert body["down"] == []
    assert (var_dir / "db.sqlite3").is_file()
    assert (var_dir / "broker" / "queue").is_dir()


def test_worker_with_embedded_beat_records_a_heartbeat(embedded_server: DevServer, var_dir: Path) -> None:
    assert embedded_server.get_json("/readyz")[1]["worker_heartbeat_age_seconds"] is None

    worker = CeleryWorker(embedded_env(var_dir), var_dir / "worker.log", concurrency=1, embedded_beat=True)
    worker.start()
    try:

        def heartbeat_seen() -> bool:
            worker.check_alive()
            embedded_server.check_alive()
            return embedded_server.get_json("/readyz")[1]["worker_heartbeat_age_seconds"] is not None

        wait_until(heartbeat_seen, timeout=HEARTBEAT_TIMEOUT, what=f"a worker heartbeat (log: {worker.log})")
    finally:
        worker.stop(grace=15.0)

    status, body = embedded_server.get_json("/readyz")
    assert status == 200
    assert 0 <= body["worker_heartbeat_age_seconds"] < HEARTBEAT_TIMEOUT


@pytest.fixture
def server_without_broker(tmp_path: Path) -> Iterator[DevServer]:
    # Nothing listens on port 1: every connection to the broker (and the Redis cache) is refused.
    env = embedded_env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    yield from runserver(env, tmp_path)


def test_readyz_names_the_broker_when_it_is_down_and_answers_promptly(server_without_broker: DevServer) -> None:
    started = time.monotonic()
    status, body = server_without_broker.get_json("/readyz", timeout=10)
    elapsed = time.monotonic() - started

    assert status == 503, body
    assert body["down"] == ["broker"]
    assert body["checks"] == {"database": "ok", "broker": "down"}
    assert elapsed < 5, f"/readyz took {elapsed:.1f} s with the broker down"
