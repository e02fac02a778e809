"""Settings for the test suite: base defaults with a fast password hasher."""

from __future__ import annotations

import datetime
import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# End-to-end tests start worker processes whose clock is moved, like the test's own, by time-machine
# (tests/live.py: WorkerProcess.restart_at). Only this test settings module reads it.
_TEST_FAKE_NOW = os.environ.get("TEST_FAKE_NOW", "")
if _TEST_FAKE_NOW:
    import time_machine

    time_machine.travel(datetime.datetime.fromisoformat(_TEST_FAKE_NOW), tick=True).start()
