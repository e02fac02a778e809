"""The embedded default boots: SQLite, the filesystem broker and the file cache, all under VAR_DIR.

These tests start real processes (migrate, runserver, a Celery worker with embedded beat) with
DATABASE_URL and REDIS_URL removed from their environment, as `make run` does on a fresh clone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

# Bounds, not sleeps: each wait polls and returns as soon as its condition holds.
SERVER_START_TIMEOUT = 30.0
# Beat first sends the heartbeat one interval (30 s) after it starts; allow for a slow machine.
HEARTBEAT_TIMEOUT = 60.0
POLL_INTERVAL = 0.25


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_json(self, path: str, timeout: float = 10.0) -> tuple[int, dict[str, Any]]:
        status, body = self.get(path, timeout=timeout)
        return status, json.loads(body)


def embedded_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """Build a process environment with no DATABASE_URL or REDIS_URL: the embedded default."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", str(var_dir)),
        "LANG": "C.UTF-8",
        "PYTHONPATH": f"{REPO_DIR / 'backend'}{os.pathsep}{REPO_DIR}",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "VAR_DIR": str(var_dir),
    }
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_until(condition: Callable[[], bool], *, timeout: float, alive: list[subprocess.Popen[bytes]]) -> bool:
    """Poll condition until it holds, the timeout passes, or one of the processes exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if any(process.poll() is not None for process in alive):
            return False
        time.sleep(POLL_INTERVAL)
    return condition()


def start(command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        # A session of its own, so teardown can stop the process and any children it forked.
        return subprocess.Popen(
            command, cwd=REPO_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes], *, grace: float = 15.0) -> None:
    if process.poll() is None:
        # Only the leader: a Celery worker then shuts its pool down itself (warm shutdown).
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # Whatever the group leader left behind (prefork children, beat) goes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


def migrate(env: dict[str, str], log: Path) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "backend/manage.py", "migrate", "--noinput"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"migrate failed:\n{result.stdout}\n{result.stderr}"


def healthz_answers(server: Server) -> bool:
    try:
        return server.get("/healthz", timeout=2)[0] == 200
    except OSError:
        return False


def runserver(env: dict[str, str], log_dir: Path) -> Iterator[Server]:
    port = free_port()
    log = log_dir / "web.log"
    process = start(
        [str(VENV_BIN / "python"), "backend/manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        log=log,
    )
    server = Server(process=process, port=port, log=log)
    try:
        started = wait_until(lambda: healthz_answers(server), timeout=SERVER_START_TIMEOUT, alive=[process])
        assert started, f"/healthz did not answer 200 within {SERVER_START_TIMEOUT:.0f} s:\n{log_tail(log)}"
        yield server
    finally:
        stop(process)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedded-var")


@pytest.fixture(scope="module")
def embedded_server(var_dir: Path) -> Iterator[Server]:
    env = embedded_env(var_dir)
    migrate(env, var_dir / "migrate.log")
    yield from runserver(env, var_dir)


def test_web_boots_on_sqlite_and_the_filesystem_broker(embedded_server: Server, var_dir: Path) -> None:
    status, body = embedded_server.get_json("/readyz")

    assert status == 200, body
    assert body["checks"] == {"database": "ok", "broker": "ok"}
    assert body["down"] == []
    assert (var_dir / "db.sqlite3").is_file()
    assert (var_dir / "broker" / "queue").is_dir()


def test_worker_with_embedded_beat_records_a_heartbeat(embedded_server: Server, var_dir: Path) -> None:
    assert embedded_server.get_json("/readyz")[1]["worker_heartbeat_age_seconds"] is None

    log = var_dir / "worker.log"
    worker = start(
        [str(VENV_BIN / "celery"), "-A", "workers", "worker", "-B", "--loglevel=INFO", "--concurrency=1"],
        env=embedded_env(var_dir),
        log=log,
    )
    try:

        def heartbeat_seen() -> bool:
            return embedded_server.get_json("/readyz")[1]["worker_heartbeat_age_seconds"] is not None

        seen = wait_until(heartbeat_seen, timeout=HEARTBEAT_TIMEOUT, alive=[worker, embedded_server.process])
        assert seen, f"no worker heartbeat within {HEARTBEAT_TIMEOUT:.0f} s:\n{log_tail(log)}"
    finally:
        stop(worker)

    status, body = embedded_server.get_json("/readyz")
    assert status == 200
    assert 0 <= body["worker_heartbeat_age_seconds"] < HEARTBEAT_TIMEOUT


@pytest.fixture
def server_without_broker(tmp_path: Path) -> Iterator[Server]:
    # Nothing listens on port 1: every connection to the broker (and the Redis cache) is refused.
    env = embedded_env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    yield from runserver(env, tmp_path)


def test_readyz_names_the_broker_when_it_is_down_and_answers_promptly(server_without_broker: Server) -> None:
    started = time.monotonic()
    status, body = server_without_broker.get_json("/readyz", timeout=10)
    elapsed = time.monotonic() - started

    assert status == 503, body
    assert body["down"] == ["broker"]
    assert body["checks"] == {"database": "ok", "broker": "down"}
    assert elapsed < 5, f"/readyz took {elapsed:.1f} s with the broker down"
