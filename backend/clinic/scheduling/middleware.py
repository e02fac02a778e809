from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from clinic.accounts.models import StaffLocation
from clinic.core.clinics import clinic_timezone


def staff_timezone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    """The zone the admin shows a staff member's times in by default: their location's when every location
    they work at shares one zone, else the first location's. A session's own times are always shown in its
    location's zone, named (scheduling/admin.py), whatever this default."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        zones = set(StaffLocation.objects.filter(user_id=user.pk).values_list("clinic__timezone", flat=True)[:50])
        if len(zones) == 1:
            return zoneinfo.ZoneInfo(zones.pop())
    return clinic_timezone()


class AdminInClinicTimeMiddleware:
    """Show times in the admin in a location's time zone: staff read 19:10, not 00:10 UTC the next day.

    The API keeps answering with offsets, which is what programs want.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/admin/"):
            return self.get_response(request)
        timezone.activate(staff_timezone(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
