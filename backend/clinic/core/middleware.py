from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_BODY_MAX_BYTES with a 413.

    Django limits form bodies, but a JSON body is read whole by the parser; checking the
    declared length first means no oversized body is ever read into memory.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return JsonResponse(
                {"detail": f"Request body too large (limit {settings.REQUEST_BODY_MAX_BYTES} bytes)."},
                status=413,
            )
        return self.get_response(request)
