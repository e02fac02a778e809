"""Twilio's webhooks: inbound texts and status callbacks. Signed requests only."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from .inbound import inbound_receive
from .sending import delivery_report_record, outbox_sid_learn

logger = logging.getLogger(__name__)
ERROR_CODE = re.compile(r"[0-9]{1,8}")
# The outbox row id we put in our status-callback URL (?ob=<id>); anything else there is ignored.
OUTBOX_ID = re.compile(r"[1-9][0-9]{0,17}")


def _signed_by_twilio(request: HttpRequest) -> bool:
    """Check X-Twilio-Signature against the public URL Twilio called (not the one behind the proxy)."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or request.content_type != "application/x-www-form-urlencoded":
        return False
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    # While the auth token is being rotated, Twilio may still sign with the previous one.
    tokens = [token for token in (settings.TWILIO_AUTH_TOKEN, settings.TWILIO_AUTH_TOKEN_PREVIOUS) if token]
    try:
        return any(RequestValidator(token).validate(url, request.POST, signature) for token in tokens)
    except Exception:  # a malformed body or signature is simply not Twilio
        return False


def _twiml(reply: str = "") -> HttpResponse:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type="application/xml")


def _usable(value: str, max_length: int) -> bool:
    """A non-empty identifier short enough for its column, without the NUL PostgreSQL cannot store."""
    return 0 < len(value) <= max_length and "\x00" not in value


def _forbidden() -> HttpResponse:
    return HttpResponse(status=403)


@csrf_exempt
@require_POST
def twilio_inbound_sms(request: HttpRequest) -> HttpResponse:
    if not _signed_by_twilio(request):
        logger.warning("inbound SMS webhook with a missing or invalid signature")
        return _forbidden()
    params = request.POST
    message_sid, from_number, to_number = params.get("MessageSid", ""), params.get("From", ""), params.get("To", "")
    if not _usable(message_sid, 40) or not _usable(from_number, 20) or "\x00" in to_number:
        return HttpResponse(status=400)
    routed = inbound_receive(
        message_sid=message_sid,
        from_number=from_number,
        to_number=to_number[:20],
        # PostgreSQL cannot store a NUL; a patient's text is kept without it rather than lost.
        body=params.get("Body", "").replace("\x00", "")[:1600],
        messaging_service_sid=params.get("MessagingServiceSid", "")[:34],
    )
    return _twiml(routed.reply if routed else "")


@csrf_exempt
@require_POST
def twilio_status_callback(request: HttpRequest) -> HttpResponse:
    if not _signed_by_twilio(request):
        logger.warning("status callback with a missing or invalid signature")
        return _forbidden()
    params = request.POST
    message_sid = params.get("MessageSid", "")
    status = params.get("MessageStatus", "")
    if not _usable(message_sid, 40) or not _usable(status, 20):
        return HttpResponse(status=400)
    code_text = params.get("ErrorCode", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    error_code = int(code_text) if ERROR_CODE.fullmatch(code_text) else None
    outbox_id = request.GET.get("ob", "")
    if OUTBOX_ID.fullmatch(outbox_id):
        # Signed with the URL, so it is the id we gave Twilio with this message: the row learns its SID
        # even if the worker that sent it died, or its send ended with an unknown outcome.
        outbox_sid_learn(message_id=int(outbox_id), sid=message_sid)
    delivery_report_record(message_sid=message_sid, status=status, error_code=error_code)
    return HttpResponse(status=204)
