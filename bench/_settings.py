"""Settings for the processes a benchmark runs: the project's dev settings, kept apart on a shared Redis.

Only isolation changes: Celery's queue is the run's own (BENCH_CELERY_QUEUE), so a worker of another
run, or of a test suite, on the same Redis database never takes this run's tasks, nor this run's
workers theirs. Everything else (database, SMS_*, DEBUG, CACHE_KEY_PREFIX) comes from the
environment, read by config/settings as for the service itself.
"""

from __future__ import annotations

import os

from config.settings.dev import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "bench")
