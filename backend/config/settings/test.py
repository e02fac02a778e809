"""Settings for the test suite: base defaults with a fast password hasher."""

from __future__ import annotations

import datetime
import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# End-to-end tests start worker processes whose clock is moved, like the test's own, by time-machine
# (tests/support/clock.py: worker_restart_at). Only this test settings module reads it.
_TEST_FAKE_NOW = os.environ.get("TEST_FAKE_NOW", "")
if _TEST_FAKE_NOW:
    import time_machine

    time_machine.travel(datetime.datetime.fromisoformat(_TEST_FAKE_NOW), tick=True).start()

# Fault tests give one worker a cache on a Redis that is down while its broker stays up.
_TEST_CACHE_URL = os.environ.get("TEST_CACHE_URL", "")
if _TEST_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _TEST_CACHE_URL}}
