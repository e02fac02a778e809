"""A send-rate limit per sender, shared by every worker through the cache (Redis in production)."""

from __future__ import annotations

import logging
import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# When the shared cache is unreachable, each process counts its own sends: (window index, used) per sender.
_local_windows: dict[str, tuple[int, int]] = {}
_local_lock = threading.Lock()
_shared_down = False


def send_slot_acquire(*, sender: str, rate_per_second: float | None = None) -> float:
    """Take one send slot for `sender`. Return 0 when granted, else seconds to wait before asking again.

    Fixed windows of max(1 s, 1/rate): at most max(1, rate * window) sends start in each window.
    If the cache is down, this process keeps to that rate on its own rather than stop sending.
    """
    rate = rate_per_second if rate_per_second is not None else settings.SMS_RATE_PER_SECOND
    if rate <= 0:
        return 0.0
    window = max(1.0, 1.0 / rate)
    allowed = max(1, math.floor(rate * window))
    now = time.time()
    window_index = int(now // window)
    try:
        used = _shared_count(f"sms:rate:{sender}:{window_index}", timeout=int(window) + 2)
    except (RedisError, OSError) as exc:
        used = _local_count(sender, window_index, exc)
    if used <= allowed:
        return 0.0
    return max(0.01, (window_index + 1) * window - now)


def _shared_count(key: str, *, timeout: int) -> int:
    global _shared_down
    cache.add(key, 0, timeout=timeout)
    try:
        used = int(cache.incr(key))
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=timeout)
        used = 1
    if _shared_down:
        _shared_down = False
        logger.warning("sms rate limit: the shared cache answers again")
    return used


def _local_count(sender: str, window_index: int, exc: Exception) -> int:
    global _shared_down
    if not _shared_down:
        _shared_down = True
        logger.warning("sms rate limit: shared cache unreachable (%s); pacing this process alone", type(exc).__name__)
    with _local_lock:
        current, used = _local_windows.get(sender, (window_index, 0))
        used = used + 1 if current == window_index else 1
        _local_windows[sender] = (window_index, used)
    return used
