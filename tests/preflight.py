"""Check that PostgreSQL and Redis answer before the suite starts; say how to start them if not."""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

START_COMMANDS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": (
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
        "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
    ),
}


def reachable(url: str, default_port: int) -> tuple[str, int, bool]:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return host, port, True
    except OSError:
        return host, port, False


def main() -> int:
    problems = []
    for name, variable, port in (("PostgreSQL", "DATABASE_URL", 5432), ("Redis", "REDIS_URL", 6379)):
        host, port, ok = reachable(os.environ.get(variable, ""), port)
        if not ok:
            problems.append(f"{name} is not running at {host}:{port}. Start it with:\n    {START_COMMANDS[name]}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
