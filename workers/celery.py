"""The Celery app: configured from Django settings (CELERY_ namespace), tasks in workers.tasks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from celery import Celery
from celery.signals import beat_init
from django.conf import settings
from kombu import Queue

# Workers are started from the repository root; Django's project lives in backend/.
_BACKEND_DIR = Path(__file__).resolve().parent.parent / "backend"
if str(_BACKEND_DIR) not in sys.path:
    sys.path.insert(0, str(_BACKEND_DIR))
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


def _ensure_broker_folders() -> None:
    """Create the folders of the filesystem broker (the embedded default) if it is in use."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


_ensure_broker_folders()


@beat_init.connect
def _heartbeat_at_startup(sender: object, **kwargs: object) -> None:
    """Send one heartbeat as beat starts, so /readyz need not wait a whole interval."""
    app.send_task("workers.tasks.heartbeat")
