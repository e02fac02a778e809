"""A send-rate limit per sender, shared by every worker through the cache (Redis in production)."""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# When the shared cache is unreachable, each process counts its own sends per (sender, window index).
_local_windows: dict[tuple[str, int], int] = {}
_local_lock = threading.Lock()
_shared_down = False


@dataclass(frozen=True)
class SlotGrant:
    """How many sends may start now, and, if fewer than asked, how long to wait before asking again."""

    granted: int
    wait: float = 0.0


def send_slot_acquire(*, sender: str, rate_per_second: float | None = None) -> float:
    """Take one send slot for `sender`. Return 0 when granted, else seconds to wait before asking again."""
    grant = send_slots_acquire(sender=sender, wanted=1, rate_per_second=rate_per_second)
    return 0.0 if grant.granted else grant.wait


def send_slots_acquire(
    *, sender: str, wanted: int, urgent: bool = False, rate_per_second: float | None = None
) -> SlotGrant:
    """Take up to `wanted` send slots for `sender` at once.

    Fixed windows of max(1 s, 1/rate): at most max(1, rate * window) sends start in each window.
    Urgent sends go first: when this window is full they borrow from the next one, which the others
    cannot touch until it comes, so a page never waits for a window and the rate still holds on average.
    If the cache is down, this process keeps to that rate on its own rather than stop sending.
    """
    rate = rate_per_second if rate_per_second is not None else settings.SMS_RATE_PER_SECOND
    if rate <= 0 or wanted <= 0:
        return SlotGrant(max(0, wanted))
    window = max(1.0, 1.0 / rate)
    allowed = max(1, math.floor(rate * window))
    now = time.time()
    window_index = int(now // window)
    granted = _take(sender, window_index, wanted, allowed, window)
    if granted < wanted and urgent:
        granted += _take(sender, window_index + 1, wanted - granted, allowed, window)
    if granted:
        return SlotGrant(granted)
    return SlotGrant(0, max(0.01, (window_index + 1) * window - now))


def _take(sender: str, window_index: int, wanted: int, allowed: int, window: float) -> int:
    """Add `wanted` to the window's count, hand back what went over `allowed`; return how many were taken."""
    key = f"sms:rate:{sender}:{window_index}"
    try:
        used = _shared_add(key, wanted, timeout=int(2 * window) + 2)
        over = min(wanted, max(0, used - allowed))
        if over:
            with contextlib.suppress(ValueError):  # the key expired meanwhile: nothing to hand back
                cache.decr(key, over)
    except (RedisError, OSError) as exc:
        used = _local_add(sender, window_index, wanted, allowed, exc)
        over = min(wanted, max(0, used - allowed))
    return wanted - over


def _shared_add(key: str, amount: int, *, timeout: int) -> int:
    global _shared_down
    cache.add(key, 0, timeout=timeout)
    try:
        used = int(cache.incr(key, amount))
    except ValueError:  # the key expired between add and incr
        cache.add(key, amount, timeout=timeout)
        used = amount
    if _shared_down:
        _shared_down = False
        logger.warning("sms rate limit: the shared cache answers again")
    return used


def _local_add(sender: str, window_index: int, amount: int, allowed: int, exc: Exception) -> int:
    global _shared_down
    if not _shared_down:
        _shared_down = True
        logger.warning("sms rate limit: shared cache unreachable (%s); pacing this process alone", type(exc).__name__)
    with _local_lock:
        for stale in [key for key in _local_windows if key[1] < window_index - 1]:
            del _local_windows[stale]
        used = _local_windows.get((sender, window_index), 0) + amount
        _local_windows[(sender, window_index)] = min(used, allowed)
    return used
