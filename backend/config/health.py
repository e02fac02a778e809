"""Health probes: /healthz (the process answers) and /readyz (database, broker, worker heartbeat, and the
reports the apps register in clinic.core.readiness). They belong with the project's wiring, not an app."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.core.readiness import READINESS_REPORTS

from .celery_app import app as celery_app

WORKER_HEARTBEAT_KEY = "workers:heartbeat"


def worker_heartbeat_record() -> None:
    cache.set(WORKER_HEARTBEAT_KEY, timezone.now().timestamp(), timeout=None)


def worker_heartbeat_age_seconds() -> float | None:
    """Return seconds since a worker last ran the beat heartbeat, or None if never seen."""
    try:
        last = cache.get(WORKER_HEARTBEAT_KEY)
    except Exception:  # a cache outage is reported by the broker check when they share Redis
        return None
    if last is None:
        return None
    return round(timezone.now().timestamp() - float(last), 1)


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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Process is alive: answers without touching any store."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachable; 503 naming what is down otherwise."""
    problems = {
        name: problem
        for name, problem in (("database", database_problem()), ("broker", broker_problem()))
        if problem is not None
    }
    body: dict[str, object] = {
        "status": "unavailable" if problems else "ok",
        "checks": {
            "database": "down" if "database" in problems else "ok",
            "broker": "down" if "broker" in problems else "ok",
        },
        "down": sorted(problems),
        "worker_heartbeat_age_seconds": worker_heartbeat_age_seconds(),
        # Warnings such as a gap in the on-call rota stay 200: a 503 would take the web server out of a
        # load balancer and stop patients' crisis replies along with everything else.
        **readiness_reports(),
    }
    return JsonResponse(body, status=503 if problems else 200)
