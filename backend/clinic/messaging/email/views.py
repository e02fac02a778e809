"""The unsubscribe page: works without signing in, from the signed link every email carries.

GET shows a button (a link scanner that follows links must not unsubscribe anyone); POST unsubscribes,
and is also what a mail client's one-click unsubscribe sends (RFC 8058), without a CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clinic.core.clinics import clinic_text_values
from clinic.core.throttling import ClientAddressThrottle

from .addresses import email_unsubscribe
from .unsubscribe import unsubscribe_state_for

TEMPLATE = "messaging/email_unsubscribe.html"


class UnsubscribeThrottle(ClientAddressThrottle):
    scope = "email_unsubscribe"


def _page(request: HttpRequest, *, state: str, status: int = 200, **context: Any) -> HttpResponse:
    context = {"state": state, **clinic_text_values(), **context}
    response = render(request, TEMPLATE, context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    address = unsubscribe_state_for(token)
    if address is None:
        # Only bad links count against an address: a valid one is signed, and one-click unsubscribes from a
        # mail provider's shared addresses must never be turned away.
        if not UnsubscribeThrottle().allow_request(request, None):  # type: ignore[arg-type]
            return _page(request, state="throttled", status=429)
        return _page(request, state="invalid", status=400)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        email_unsubscribe(state_id=address.pk, source="one-click" if one_click else "link")
        return _page(request, state="done")
    return _page(request, state="confirm", already=address.is_unsubscribed)
