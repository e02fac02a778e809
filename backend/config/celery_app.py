"""The Celery app: configured from Django settings (CELERY_ namespace), its tasks in workers/tasks.py.

Start processes with `celery -A config.celery_app worker` (or beat) from the repository root, with
backend/ and the root on PYTHONPATH; `celery -A workers` still finds the same app. The apps never import
this module or the task modules: they enqueue by task name.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init
from django.conf import settings
from kombu import Queue

# Fail closed: without DJANGO_SETTINGS_MODULE, production settings, which refuse to start without
# their secrets. `make run` and the tests name the settings they want.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"])


@app.on_after_configure.connect
def _queues_urgent_first(sender: Celery, **kwargs: object) -> None:
    """Two queues, consumed in this order by every worker (Redis: queue_order_strategy "priority"): urgent
    sends (pages) never wait behind the backlog of routine ones already in the broker.

    Set once the settings are read (not at import: the settings module may still be loading then).
    """
    default_queue = sender.conf.task_default_queue
    sender.conf.task_queues = (Queue(default_queue + settings.SMS_URGENT_QUEUE_SUFFIX), Queue(default_queue))
    sender.conf.broker_transport_options = {
        **(sender.conf.broker_transport_options or {}),
        "queue_order_strategy": "priority",
    }


@app.on_after_configure.connect
def _broker_folders_ensure(sender: Celery, **kwargs: object) -> None:
    """Create the folders of the filesystem broker (the embedded default) if it is in use.

    On first use of the configuration, not at import: importing this module reads no setting.
    """
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


@beat_init.connect
def _heartbeat_at_startup(sender: object, **kwargs: object) -> None:
    """Send one heartbeat as beat starts, so /readyz need not wait a whole interval."""
    app.send_task("workers.tasks.heartbeat")
