"""The intake benchmark's baseline: a bare Django view that stores the same Inquiry row, and its URLconf.

No DRF, no validation beyond json.loads, no merge lookup, no reasons, submission or outbox rows:
one ORM INSERT of the row the public form stores, behind the project's own middleware.
Served by gunicorn with DJANGO_SETTINGS_MODULE=bench._intake_settings.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clinic.core.consent import CURRENT_SMS_CONSENT_VERSION
from clinic.intake.models import Inquiry
from config.health import healthz


@csrf_exempt
@require_POST
def inquiry_insert(request: HttpRequest) -> HttpResponse:
    data = json.loads(request.body)
    now = timezone.now()
    consent = bool(data.get("sms_consent"))
    inquiry = Inquiry.objects.create(
        first_name=data["first_name"],
        last_name=data["last_name"],
        phone=data["phone"],
        email=data.get("email", ""),
        preferred_contact_method=data["preferred_contact_method"],
        best_time_to_reach=data.get("best_time_to_reach", ""),
        prior_treatments=data.get("prior_treatments", ""),
        message=data.get("message", ""),
        sms_consent=consent,
        sms_consent_at=now if consent else None,
        sms_consent_version=CURRENT_SMS_CONSENT_VERSION if consent else "",
        sms_consent_source=Inquiry.Source.API if consent else "",
        privacy_acknowledged_at=now,
        adult_confirmed_at=now,
        source=Inquiry.Source.API,
    )
    return JsonResponse({"reference": inquiry.reference, "status": "received"}, status=201)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/inquiries/", inquiry_insert, name="inquiry-submit"),
]
