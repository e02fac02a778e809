from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from clinic.core.clinics import clinic_timezone


class AdminInClinicTimeMiddleware:
    """Show every time in the admin in the clinic's time zone: staff read 19:10, not 00:10 UTC the next day.

    The API keeps answering in UTC with offsets, which is what programs want.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/admin/"):
            return self.get_response(request)
        timezone.activate(clinic_timezone())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
