"""The project's URLs plus test-only receivers standing in for the app's Twilio webhooks."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator

from config.urls import urlpatterns as project_urlpatterns

STATUS_CALLBACK_PATH = "/test-callbacks/status/"
SMS_WEBHOOK_PATH = "/webhooks/twilio/sms/"
TWIML_THANKS = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks</Message></Response>'


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    params: dict[str, str]
    signature_valid: bool


_lock = threading.Lock()
_received: list[ReceivedRequest] = []


def received(path: str) -> list[ReceivedRequest]:
    with _lock:
        return [request for request in _received if request.path == path]


def received_clear() -> None:
    with _lock:
        _received.clear()


def _record(request: HttpRequest) -> None:
    # Validate as the app must: against the public base URL it is configured with, plus the path.
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    valid = RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(
        url, request.POST, request.headers.get("X-Twilio-Signature", "")
    )
    with _lock:
        _received.append(ReceivedRequest(path=request.path, params=request.POST.dict(), signature_valid=valid))


@csrf_exempt
def status_callback_receiver(request: HttpRequest) -> HttpResponse:
    _record(request)
    return HttpResponse(status=204)


@csrf_exempt
def sms_webhook_receiver(request: HttpRequest) -> HttpResponse:
    _record(request)
    return HttpResponse(TWIML_THANKS, content_type="text/xml")


urlpatterns: list[URLPattern | URLResolver] = [
    path(SMS_WEBHOOK_PATH.lstrip("/"), sms_webhook_receiver),
    path(STATUS_CALLBACK_PATH.lstrip("/"), status_callback_receiver),
    *project_urlpatterns,
]
