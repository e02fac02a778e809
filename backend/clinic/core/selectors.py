from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from workers.celery import app as celery_app

from .readiness import READINESS_REPORTS
from .services import WORKER_HEARTBEAT_KEY


def readiness_reports() -> dict[str, object]:
    """Each registered report by name; one that fails says so instead of failing /readyz."""
    reports: dict[str, object] = {}
    for name, report in READINESS_REPORTS.items():
        try:
            reports[name] = report()
        except Exception as exc:  # the database checks above say why; never hide the other fields
            reports[name] = {"error": type(exc).__name__}
    return reports


def database_problem() -> str | None:
    """Return why the database is unreachable, or None when a query succeeds."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return type(exc).__name__
    return None


def broker_problem() -> str | None:
    """Return why the Celery broker is unreachable, or None when a connection opens."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        return type(exc).__name__
    return None


def worker_heartbeat_age_seconds() -> float | None:
    """Return seconds since a worker last ran the beat heartbeat, or None if never seen."""
    try:
        last = cache.get(WORKER_HEARTBEAT_KEY)
    except Exception:  # a cache outage is reported by the broker check when they share Redis
        return None
    if last is None:
        return None
    return round(timezone.now().timestamp() - float(last), 1)
