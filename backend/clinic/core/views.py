from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors


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
        for name, problem in (
            ("database", selectors.database_problem()),
            ("broker", selectors.broker_problem()),
        )
        if problem is not None
    }
    body: dict[str, object] = {
        "status": "unavailable" if problems else "ok",
        "checks": {
            "database": "down" if "database" in problems else "ok",
            "broker": "down" if "broker" in problems else "ok",
        },
        "down": sorted(problems),
        "worker_heartbeat_age_seconds": selectors.worker_heartbeat_age_seconds(),
        # Warnings such as a gap in the on-call rota stay 200: a 503 would take the web server out of a
        # load balancer and stop patients' crisis replies along with everything else.
        **selectors.readiness_reports(),
    }
    return JsonResponse(body, status=503 if problems else 200)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL that matches no route: JSON under /api/, as every other API answer, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
