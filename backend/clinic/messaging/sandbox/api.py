"""Twilio's Messages API (create, fetch, list), answered in Twilio's own shapes so the real SDK works unchanged."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
from collections.abc import Callable
from email.utils import format_datetime
from functools import wraps
from typing import Concatenate, ParamSpec, cast
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from .callbacks import API_VERSION
from .errors import TwilioApiError
from .models import SandboxMessage
from .selectors import (
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    MessageFilters,
    sandbox_message_get,
    sandbox_message_page,
)
from .services import sandbox_message_create

P = ParamSpec("P")
AccountView = Callable[Concatenate[HttpRequest, str, P], HttpResponse]


def _rfc2822(moment: dt.datetime | None) -> str | None:
    return format_datetime(moment.astimezone(dt.UTC)) if moment is not None else None


def _messages_uri(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"


def message_json(message: SandboxMessage) -> dict[str, object]:
    base = f"/{API_VERSION}/Accounts/{message.account_sid}/Messages/{message.sid}"
    return {
        "sid": message.sid,
        "account_sid": message.account_sid,
        "messaging_service_sid": message.messaging_service_sid or None,
        "from": message.from_number or None,
        "to": message.to_number,
        "body": message.body,
        "status": message.status,
        "direction": message.direction,
        "num_segments": str(message.num_segments),
        "num_media": "0",
        "price": None,
        "price_unit": "USD",
        "error_code": message.error_code,
        "error_message": message.error_message or None,
        "uri": base + ".json",
        "api_version": API_VERSION,
        "date_created": _rfc2822(message.date_created),
        "date_updated": _rfc2822(message.date_updated),
        "date_sent": _rfc2822(message.date_sent),
        "subresource_uris": {"media": base + "/Media.json", "feedback": base + "/Feedback.json"},
    }


def _error_response(error: TwilioApiError) -> JsonResponse:
    response = JsonResponse(error.as_body(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return response


def _credentials_match(request: HttpRequest, account_sid: str) -> bool:
    scheme, _, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        username, separator, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected_sid, expected_token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
    # Every comparison runs, so the time taken says nothing about which part was wrong.
    checks = [
        bool(separator),
        constant_time_compare(username, expected_sid),
        constant_time_compare(password, expected_token),
        constant_time_compare(account_sid, expected_sid),
    ]
    return all(checks)


def twilio_api(view: AccountView[P]) -> AccountView[P]:
    """Authenticate like Twilio (HTTP Basic, account in the path) and answer TwilioApiError as Twilio does."""

    @wraps(view)
    def wrapped(request: HttpRequest, account_sid: str, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        latency = settings.SMS_SANDBOX_LATENCY_MS
        if latency > 0:
            # Like Twilio over the internet. Only this request's thread waits: the servers that host the
            # sandbox (runserver, the test live server, gunicorn gthread) answer others meanwhile.
            time.sleep(latency / 1000)
        if not _credentials_match(request, account_sid):
            return _error_response(TwilioApiError(status=401, code=20003))
        try:
            return view(request, account_sid, *args, **kwargs)
        except TwilioApiError as error:
            return _error_response(error)

    # csrf_exempt wraps again; its stub type loses the signature, which is unchanged.
    return cast(AccountView[P], csrf_exempt(wrapped))


def _method_not_allowed(request: HttpRequest) -> JsonResponse:
    return _error_response(TwilioApiError(status=405, code=20004, message=f"Method not allowed: {request.method}"))


@twilio_api
def messages_collection(request: HttpRequest, account_sid: str) -> HttpResponse:
    if request.method == "POST":
        return _message_create(request, account_sid)
    if request.method == "GET":
        return _message_list(request, account_sid)
    return _method_not_allowed(request)


@twilio_api
def message_detail(request: HttpRequest, account_sid: str, message_sid: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(request)
    message = sandbox_message_get(account_sid=account_sid, sid=message_sid)
    if message is None:
        path = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{message_sid}.json"
        raise TwilioApiError(status=404, code=20404, message=f"The requested resource {path} was not found")
    return JsonResponse(message_json(message))


def _message_create(request: HttpRequest, account_sid: str) -> HttpResponse:
    data = request.POST
    message = sandbox_message_create(
        account_sid=account_sid,
        to=data.get("To", "").strip(),
        from_=data.get("From", "").strip(),
        messaging_service_sid=data.get("MessagingServiceSid", "").strip(),
        body=data.get("Body", ""),
        status_callback=data.get("StatusCallback", "").strip(),
        smart_encoded=data.get("SmartEncoded", "").strip().lower() == "true",
    )
    return JsonResponse(message_json(message), status=201)


def _int_parameter(request: HttpRequest, name: str, default: int, minimum: int) -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise TwilioApiError(status=400, code=20001, message=f"Invalid {name}: {raw}")
    return value


def _message_list(request: HttpRequest, account_sid: str) -> HttpResponse:
    query = request.GET
    filters = MessageFilters(
        to=query.get("To", ""),
        from_=query.get("From", ""),
        date_sent=query.get("DateSent", ""),
        date_sent_before=query.get("DateSent<", ""),
        date_sent_after=query.get("DateSent>", ""),
    )
    page_size = min(_int_parameter(request, "PageSize", PAGE_SIZE_DEFAULT, 1), PAGE_SIZE_MAX)
    page_number = _int_parameter(request, "Page", 0, 0)
    page_token = query.get("PageToken", "")
    page = sandbox_message_page(
        account_sid=account_sid, filters=filters, page_size=page_size, page=page_number, page_token=page_token
    )

    filter_params = [
        (name, value)
        for name, value in (
            ("To", filters.to),
            ("From", filters.from_),
            ("DateSent", filters.date_sent),
            ("DateSent<", filters.date_sent_before),
            ("DateSent>", filters.date_sent_after),
        )
        if value
    ]

    def page_uri(number: int, token: str | None) -> str:
        params = [*filter_params, ("PageSize", str(page_size)), ("Page", str(number))]
        if token:
            params.append(("PageToken", token))
        return _messages_uri(account_sid) + "?" + urlencode(params)

    start = page_number * page_size
    return JsonResponse(
        {
            "messages": [message_json(message) for message in page.messages],
            "first_page_uri": page_uri(0, None),
            "next_page_uri": page_uri(page_number + 1, page.next_token) if page.next_token else None,
            "previous_page_uri": (
                page_uri(max(page_number - 1, 0), page.previous_token) if page.previous_token else None
            ),
            "page": page_number,
            "page_size": page_size,
            "start": start,
            "end": start + max(len(page.messages), 1) - 1,
            "uri": page_uri(page_number, page_token or None),
        }
    )
