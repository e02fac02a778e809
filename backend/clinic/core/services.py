from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

WORKER_HEARTBEAT_KEY = "workers:heartbeat"


def worker_heartbeat_record() -> None:
    cache.set(WORKER_HEARTBEAT_KEY, timezone.now().timestamp(), timeout=None)
