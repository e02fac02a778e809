"""Real processes the fault tests start and break: a Redis server of their own, and Celery beat."""

from __future__ import annotations

import random
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import redis

from tests.live import CELERY, CeleryProcess, wait_until


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


class RedisServer:
    """A `redis-server` of the test's own on a free port, with no persistence: a kill loses everything in it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port_outside_ephemeral_range()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed: apt-get install redis-server")
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "redis.log").open("ab") as out:
            self.process = subprocess.Popen(
                ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.answers, timeout=20, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL the server: its queues and keys are gone, as after a crash of a Redis without persistence."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


class BeatProcess(CeleryProcess):
    """A real `celery beat`, which sends the "dispatch due messages" task on its schedule."""

    ready_marker = b"beat: Starting"

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        super().__init__(env, folder / "beat.log")
        self.folder = folder

    def command(self) -> list[str]:
        return [CELERY, "-A", "workers", "beat", "--loglevel=INFO", "-s", str(self.folder / "schedule")]


def task_failures(log: Path) -> list[str]:
    """The lines of a worker's log where a task raised instead of returning, whole (the error's own words
    can come after a long traceback)."""
    lines = log.read_bytes().splitlines()
    return [line.decode(errors="replace") for line in lines if b"raised unexpected" in line]
