"""Real processes for end-to-end tests: Celery processes on the test database, and waiting for them."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll `check` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_while_progressing(
    check: Callable[[], bool],
    *,
    progress: Callable[[], object],
    stalled_after: float,
    what: str,
    interval: float = 0.1,
) -> None:
    """Poll `check` until it holds; fail only once `progress()` has not changed for `stalled_after` seconds.

    A busy machine makes every step slower, not stuck: a deadline for the whole job fails a correct
    system there (the fault suite flaked on a shared machine), while a stall is a real failure anywhere.
    """
    last_seen = progress()
    last_change = time.monotonic()
    while not check():
        now = time.monotonic()
        current = progress()
        if current != last_seen:
            last_seen, last_change = current, now
        elif now - last_change > stalled_after:
            raise AssertionError(f"no progress for {stalled_after:.0f} s waiting for {what}; stood at {current}")
        time.sleep(interval)


class CeleryProcess:
    """A real Celery process (its own session, so a signal reaches its pool too), logging to `log`."""

    ready_marker = b""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = dict(env)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        command = self.command()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        # Importing Django and Celery takes seconds on a quiet machine and minutes on a loaded one: wait
        # while the process lives and its log grows, and fail at once if it exits.
        wait_while_progressing(
            lambda: self.ready_marker in self.log.read_bytes(),
            progress=self._startup_progress,
            stalled_after=120,
            what=f"celery {command[3]} to start (log: {self.log})",
        )

    def _startup_progress(self) -> object:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"celery exited with {self.process.returncode} while starting:\n{self._log_tail()}")
        return self.log.stat().st_size

    def _log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and its pool, as a crash or an OOM kill would."""
        if self.alive():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class WorkerProcess(CeleryProcess):
    """A real `celery worker` on the test database and the test Redis, sending to the live sandbox."""

    ready_marker = b"ready."

    def command(self) -> list[str]:
        return [
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
        ]

    def restart_at(self, moment: datetime.datetime) -> None:
        """Stop, then start again with the worker's clock moved to `moment` (and ticking) by time-machine."""
        self.stop()
        self.env["TEST_FAKE_NOW"] = moment.isoformat()
        self.start()
