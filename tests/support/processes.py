"""Real processes for end-to-end tests and benchmarks: Celery workers and beat, a web server, a Redis of one's own.

Each runs in a session of its own, so a signal reaches what it forks too (a prefork worker's pool,
gunicorn's workers), logs to a file, is waited for until it serves, and is always stopped. Nothing here
imports Django: the benchmarks import this module before they set Django up.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType, TracebackType
from typing import TypeVar

import redis

REPO = Path(__file__).resolve().parents[2]
# The virtualenv's scripts (celery, gunicorn) sit beside the interpreter running the tests or the benchmark.
VENV_BIN = Path(sys.executable).parent

# Importing Django and Celery takes seconds on a quiet machine and minutes on a loaded one: a process is
# given up on only once it has written nothing to its log for this long while starting.
STARTUP_STALL_SECONDS = 120.0


# --- Waiting ---------------------------------------------------------------------------------------


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


# --- Ports -----------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on the loopback nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_port_outside_ephemeral_range() -> int:
    """A free loopback port below the kernel's ephemeral range, so it stays free while its server is down.

    A port from bind(0) lies inside the range the kernel hands out as the source port of outgoing
    connections. While a server on it is down (an outage test), any connection on a busy machine,
    or the workers' own reconnection attempts to it (a TCP self-connect on loopback), may take it,
    and the server cannot come back on it. Ports below the range are only ever taken by bind().
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    candidates = list(range(max(1025, low - 12000), low))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


# --- One process -----------------------------------------------------------------------------------


class ChildProcess:
    """A command in a session of its own, appending its output to `log`; `start()` returns once it serves.

    It may be started again after a stop or a kill (a restart), with `env` changed in between.
    """

    def __init__(self, command: Sequence[str], *, env: Mapping[str, str], log: Path, name: str = "") -> None:
        self.command = list(command)
        self.env = dict(env)
        self.log = log
        self.name = name or Path(self.command[0]).name
        self.process: subprocess.Popen[bytes] | None = None
        self._log_offset = 0  # where this start's output begins in the log

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self._log_offset = out.tell()
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_while_progressing(
            self._ready_while_alive,
            progress=self._log_size,
            stalled_after=STARTUP_STALL_SECONDS,
            what=f"{self.name} to start (log: {self.log})",
            interval=0.1,
        )

    def ready(self) -> bool:
        """Whether the process serves; a plain command does once started."""
        return True

    def output(self) -> bytes:
        """What the process wrote to its log since it was last started."""
        with self.log.open("rb") as log:
            log.seek(self._log_offset)
            return log.read()

    def _ready_while_alive(self) -> bool:
        self.check_alive()
        return self.ready()

    def _log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            status = "never started" if self.process is None else f"exited with status {self.process.returncode}"
            raise AssertionError(f"{self.name} {status}; end of {self.log}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL the process and everything it forked, as a crash or an OOM kill would."""
        if self.process is not None:
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, *, grace: float = 20.0) -> None:
        """SIGTERM the process (a Celery worker or gunicorn then stops its pool itself), SIGKILL its group after
        `grace` seconds, and whatever the group left behind in any case."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        self.kill()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def start_all(processes: Iterable[ChildProcess]) -> None:
    """Start the processes side by side (each takes seconds to import Django); fail if any fails."""
    waiting = list(processes)
    with ThreadPoolExecutor(max_workers=max(1, len(waiting))) as pool:
        for started in [pool.submit(process.start) for process in waiting]:
            started.result()


def stop_all(processes: Iterable[ChildProcess], *, grace: float = 20.0) -> None:
    """Stop the processes side by side."""
    running = list(processes)
    with ThreadPoolExecutor(max_workers=max(1, len(running))) as pool:
        for stopped in [pool.submit(process.stop, grace=grace) for process in running]:
            stopped.result()


# --- The project's processes -----------------------------------------------------------------------


class CeleryWorker(ChildProcess):
    """A real `celery worker` (prefork pool, as the Procfile runs it) with the settings `env` gives it; with
    `embedded_beat`, beat runs inside it, as `make run` does without a broker server."""

    def __init__(
        self,
        env: Mapping[str, str],
        log: Path,
        *,
        name: str = "worker",
        concurrency: int = 2,
        embedded_beat: bool = False,
    ) -> None:
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            "workers",
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h",
            *(["--beat"] if embedded_beat else []),
        ]
        super().__init__(command, env=env, log=log, name=f"{name} (celery worker)")

    def ready(self) -> bool:
        return b" ready." in self.output()

    def task_failures(self) -> list[str]:
        """The lines of the log where a task raised instead of returning, whole (the error's own words can
        come after a long traceback)."""
        lines = self.log.read_bytes().splitlines()
        return [line.decode(errors="replace") for line in lines if b"raised unexpected" in line]


class CeleryBeat(ChildProcess):
    """A real `celery beat`, which sends the "dispatch due messages" task on its schedule; its files in `folder`."""

    def __init__(self, env: Mapping[str, str], folder: Path) -> None:
        command = [str(VENV_BIN / "celery"), "-A", "workers", "beat", "--loglevel=INFO", "-s", str(folder / "schedule")]
        super().__init__(command, env=env, log=folder / "beat.log", name="celery beat")

    def ready(self) -> bool:
        return b"beat: Starting" in self.output()


class WebServer(ChildProcess):
    """The Django app under gunicorn (threaded workers, HTTP keep-alive), ready once /healthz answers.

    Each gunicorn process builds the crisis detector as it starts, and /readyz says "building" until it
    has. Ready once /readyz, asked a few times per process, no longer says so: what follows starts on a
    warm app, as in production long after a deploy.
    """

    def __init__(
        self, env: Mapping[str, str], log: Path, *, port: int, name: str = "web", workers: int = 2, threads: int = 4
    ) -> None:
        command = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        super().__init__(command, env=env, log=log, name=f"{name} (gunicorn)")
        self.port = port
        self.workers = workers

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                healthy = bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False
        return healthy and all(self._detector_built() for _ in range(2 * self.workers))

    def _detector_built(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=10) as response:
                body = json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            return False
        return bool(body.get("crisis_detector", {}).get("mode") != "building")


class RedisServer(ChildProcess):
    """A `redis-server` of one's own on a free port, with no persistence: a kill loses everything in it."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port_outside_ephemeral_range()
        command = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        super().__init__(command, env=os.environ, log=folder / "redis.log", name=f"redis-server on port {self.port}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed: apt-get install redis-server")
        super().start()

    def ready(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()


# --- A run's processes -----------------------------------------------------------------------------

Process = TypeVar("Process", bound=ChildProcess)


def _sigterm_to_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


class Children:
    """The processes of one run (a benchmark); `with Children() as children:` stops them all at the end,
    on success, on an exception, on Ctrl-C and on SIGTERM."""

    def __init__(self) -> None:
        self.running: list[ChildProcess] = []

    def __enter__(self) -> Children:
        # A SIGTERM (e.g. from bench/run.py's timeout) unwinds like Ctrl-C, through the `finally`s.
        signal.signal(signal.SIGTERM, _sigterm_to_exit)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        # Cleaning up: a second Ctrl-C or SIGTERM must not leave servers or workers behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all(reversed(self.running), grace=5.0)
        self.running.clear()

    def start(self, process: Process) -> Process:
        """Start `process` and keep it until it is stopped, here or when the run ends."""
        self.running.append(process)
        process.start()
        return process

    def stop(self, process: ChildProcess, *, grace: float = 20.0) -> None:
        process.stop(grace=grace)
        if process in self.running:
            self.running.remove(process)
