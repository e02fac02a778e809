"""Load the Celery app with Django so tasks bind to it (and web can enqueue them)."""

from __future__ import annotations

from .celery_app import app as celery_app

__all__ = ["celery_app"]
