"""Child processes of a benchmark (web server, Celery workers): start, wait for, measure, always stop.

Every child runs in a session of its own, so stopping it stops its whole process group (a
prefork worker's pool, gunicorn's workers). `Children` stops whatever is left when its `with`
block ends, on success, on an exception, on Ctrl-C and on SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType

from _common import REPO_DIR, VENV_BIN, wait_until


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def check_alive(self) -> None:
        if not self.alive():
            raise RuntimeError(
                f"{self.name} exited with status {self.process.returncode}; end of {self.log}:\n{self.log_tail()}"
            )


def _sigterm_to_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


class Children:
    """The child processes of one benchmark; `with Children(...) as children:` stops them all at the end."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: list[Child] = []

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
        for child in reversed(self.running[:]):
            self.stop(child, grace=5.0)

    def start(self, name: str, command: Sequence[str], *, env: Mapping[str, str]) -> Child:
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                list(command),
                cwd=REPO_DIR,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(name=name, process=process, log=log)
        self.running.append(child)
        return child

    def stop(self, child: Child, *, grace: float = 20.0) -> None:
        """SIGTERM the child's process group (a warm shutdown), SIGKILL it after `grace` seconds."""
        if child.alive():
            _signal_group(child.pid, signal.SIGTERM)
            try:
                child.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(child.pid, signal.SIGKILL)
                child.process.wait(timeout=10)
        # Pool processes outlive a parent killed hard; leave none behind.
        _signal_group(child.pid, signal.SIGKILL)
        if child in self.running:
            self.running.remove(child)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def celery_worker_start(children: Children, *, name: str, env: Mapping[str, str], concurrency: int = 2) -> Child:
    """A `celery worker` (prefork pool, as the Procfile runs it), started and ready to take tasks."""
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
    ]
    child = children.start(name, command, env=env)

    def ready() -> bool:
        child.check_alive()
        return b" ready." in child.log.read_bytes()

    wait_until(ready, timeout=90, what=f"{name} (celery worker) to be ready", interval=0.1)
    return child


def gunicorn_start(
    children: Children, *, name: str, env: Mapping[str, str], port: int, workers: int = 2, threads: int = 4
) -> Child:
    """The Django app under gunicorn (threaded workers, HTTP keep-alive), answering /healthz."""
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
    child = children.start(name, command, env=env)

    def healthy() -> bool:
        child.check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    wait_until(healthy, timeout=60, what=f"{name} (gunicorn) to answer /healthz", interval=0.2)
    # Each process builds the crisis detector as it starts; /readyz answers once its process has it. Asked a
    # few times per process, so a measurement starts on a warm app, as in production long after a deploy.
    for _ in range(2 * workers):
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=60).close()
    return child


@dataclass(frozen=True)
class MemoryUse:
    """Resident memory of a process group, in KiB: each process's peak (VmHWM) and current (VmRSS)."""

    peaks_kib: dict[int, int]
    current_kib: dict[int, int]

    @property
    def largest_peak_kib(self) -> int:
        return max(self.peaks_kib.values(), default=0)

    @property
    def total_peak_kib(self) -> int:
        return sum(self.peaks_kib.values())


def _group_pids(pgid: int) -> Iterator[tuple[int, list[str]]]:
    """(pid, /proc/<pid>/stat fields after the command) of every process in the group."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the process ended while we looked
        # Fields after the parenthesised command: state, ppid, pgrp, ...
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            yield int(entry.name), fields


def cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the group's live processes and the children they reaped."""
    ticks = os.sysconf("SC_CLK_TCK")
    # utime, stime, cutime, cstime are fields 14-17 of /proc/<pid>/stat, i.e. 11-14 after the command.
    return sum(sum(int(value) for value in fields[11:15]) for _, fields in _group_pids(pgid)) / ticks


def memory_use(pgid: int) -> MemoryUse:
    """Read VmHWM and VmRSS of every process in the group (e.g. a celery worker and its pool)."""
    peaks: dict[int, int] = {}
    current: dict[int, int] = {}
    for pid, _ in _group_pids(pgid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in status.splitlines():
            key, _, rest = line.partition(":")
            if key == "VmHWM":
                peaks[pid] = int(rest.split()[0])
            elif key == "VmRSS":
                current[pid] = int(rest.split()[0])
    return MemoryUse(peaks_kib=peaks, current_kib=current)
