"""A send-rate limit per sender, shared by every worker through the cache (Redis in production)."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache


def send_slot_acquire(*, sender: str, rate_per_second: float | None = None) -> float:
    """Take one send slot for `sender`. Return 0 when granted, else seconds to wait before asking again.

    Fixed windows of max(1 s, 1/rate): at most max(1, rate * window) sends start in each window.
    """
    rate = rate_per_second if rate_per_second is not None else settings.SMS_RATE_PER_SECOND
    if rate <= 0:
        return 0.0
    window = max(1.0, 1.0 / rate)
    allowed = max(1, math.floor(rate * window))
    now = time.time()
    window_index = int(now // window)
    key = f"sms:rate:{sender}:{window_index}"
    cache.add(key, 0, timeout=int(window) + 2)
    try:
        used = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=int(window) + 2)
        used = 1
    if used <= allowed:
        return 0.0
    return max(0.01, (window_index + 1) * window - now)
