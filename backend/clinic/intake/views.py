"""The public /contact/ page: an HTML form held to the same rules as POST /api/v1/inquiries/.

It speaks the visitor's language (the language switch, else the browser's), shows the consent wordings
in it, and records consent to the wordings as shown in it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import phonenumbers
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework import serializers

from clinic.core.consent import current_email_consent_wording, current_sms_consent_wording
from clinic.core.languages import language_choices
from clinic.core.locations import locations_open
from clinic.core.models import Clinic

from .api.public import (
    REASON_CHOICES,
    InquiryBurstThrottle,
    InquiryDailyThrottle,
    InquirySubmitSerializer,
    inquiry_next_steps,
    request_language,
)
from .followups import inquiry_thanks_parts
from .models import Inquiry, new_inquiry_reference
from .services import inquiry_submit

logger = logging.getLogger(__name__)

RECEIPT_SALT = "intake.contact.thanks"
# Long enough to come back to the page for the reference; the link carries nothing personal.
RECEIPT_MAX_AGE_SECONDS = 7 * 24 * 60 * 60

# Every field a person sees, with the label the error summary uses, in the order of the page.
FIELD_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "phone": gettext_lazy("Phone number"),
    "email": gettext_lazy("Email address"),
    "preferred_contact_method": gettext_lazy("How we should contact you"),
    "preferred_language": gettext_lazy("Language for texts and calls"),
    "best_time_to_reach": gettext_lazy("Best time to reach you"),
    "location": gettext_lazy("Location"),
    "postcode": gettext_lazy("ZIP code"),
    "reasons": gettext_lazy("What you would like help with"),
    "prior_treatments": gettext_lazy("Treatments you have tried"),
    "message": gettext_lazy("Your message"),
    "sms_consent": gettext_lazy("Text messages"),
    "privacy_acknowledged": gettext_lazy("Privacy notice"),
    "is_adult": gettext_lazy("Age"),
}
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "best_time_to_reach",
    "postcode",
    "prior_treatments",
    "message",
)
# Asked only when there is a choice: two or more open locations.
LOCATION_FIELDS = ("location", "postcode")
MULTILINE_FIELDS = ("prior_treatments", "message")
CHECKBOX_FIELDS = ("sms_consent", "privacy_acknowledged", "is_adult")
# A group of options is reached through its first option.
FIELD_ANCHORS = {
    "preferred_contact_method": "id_preferred_contact_method_0",
    "preferred_language": "id_preferred_language_0",
    "location": "id_location_0",
    "reasons": "id_reasons_0",
}
# Said for an error on a field people cannot see (the honeypot) or on no field at all.
UNPLACED_ERROR = gettext_lazy("Please check the form and try again.")
MISSING_MESSAGES = {
    "first_name": gettext_lazy("Enter your first name."),
    "last_name": gettext_lazy("Enter your last name."),
    "phone": gettext_lazy("Enter a phone number, including the area code."),
}


@dataclass(frozen=True)
class Receipt:
    """What the thanks page may show: no personal data, only what the next steps depend on."""

    reference: str
    preferred_contact_method: str
    sms_consent: bool
    # What apps above intake offer after this submission (followups.py): provider name -> opaque key.
    follow_ups: dict[str, str] = field(default_factory=dict)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        blank = _submitted_values(QueryDict())
        defaults = {
            "preferred_contact_method": Inquiry.ContactMethod.PHONE,
            "preferred_language": request_language(request),
        }
        return _render_form(request, values={**blank, **defaults})

    values = _submitted_values(request.POST)
    retry_after = _throttle_retry_after(request)
    if retry_after is not None:
        response = _render_form(request, values=values, throttled=True, status=429)
        response["Retry-After"] = str(retry_after)
        return response

    serializer = InquirySubmitSerializer(data=_with_unix_newlines(request.POST))
    if not serializer.is_valid():
        return _render_form(request, values=values, errors=serializer.errors, status=400)

    if serializer.is_bot:
        # Answer like a success so the bot learns nothing; store nothing.
        logger.info("contact form honeypot filled; nothing stored")
        receipt = Receipt(
            reference=new_inquiry_reference(),
            preferred_contact_method=serializer.validated_data["preferred_contact_method"],
            sms_consent=serializer.validated_data["sms_consent"],
        )
    else:
        data = serializer.to_input(language=request_language(request))
        outcome = inquiry_submit(data=data, source=Inquiry.Source.WEB_FORM)
        submission = outcome.submission
        # What this submission said, never the stored inquiry it may have been merged into.
        receipt = Receipt(
            reference=submission.reference,
            preferred_contact_method=submission.preferred_contact_method,
            sms_consent=submission.sms_consent_at is not None,
            follow_ups={name: follow_up.key for name, follow_up in outcome.follow_ups.items() if follow_up.key},
        )
    token = signing.dumps(asdict(receipt), salt=RECEIPT_SALT)
    # 303: the browser follows with a GET, so reloading the thanks page never resends the form.
    return HttpResponseRedirect(f"{reverse('intake:contact-thanks')}?{urlencode({'r': token})}", status=303)


@never_cache
@require_http_methods(["GET", "HEAD"])
def contact_thanks(request: HttpRequest) -> HttpResponse:
    receipt = _receipt_from_token(request.GET.get("r", ""))
    if receipt is None:
        return render(request, "intake/thanks.html", {"receipt": None}, status=400)
    next_steps = inquiry_next_steps(
        preferred_contact_method=receipt.preferred_contact_method, sms_consent=receipt.sms_consent
    )
    parts = inquiry_thanks_parts(request, receipt.follow_ups)
    return render(
        request, "intake/thanks.html", {"receipt": receipt, "next_steps": next_steps, "follow_up_parts": parts}
    )


def _throttle_retry_after(request: HttpRequest) -> int | None:
    """Return the seconds to wait when the API's throttles refuse this POST, or None when allowed."""
    waits = []
    # Every throttle counts the request, as DRF's APIView does; they read only the client address.
    for throttle in (InquiryBurstThrottle(), InquiryDailyThrottle()):
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            wait = throttle.wait()
            waits.append(60.0 if wait is None else wait)
    return math.ceil(max(waits)) if waits else None


def _receipt_from_token(token: str) -> Receipt | None:
    try:
        return Receipt(**signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE_SECONDS))
    except (signing.BadSignature, TypeError):  # tampered, expired, or not a receipt at all
        return None


def _render_form(
    request: HttpRequest,
    *,
    values: dict[str, Any],
    errors: dict[str, Any] | None = None,
    throttled: bool = False,
    status: int = 200,
) -> HttpResponse:
    locations = _location_options()
    field_errors, other_errors = _error_messages(errors or {}, hidden=() if locations else LOCATION_FIELDS)
    fields = InquirySubmitSerializer().fields
    language = request_language(request)
    context = {
        "values": values,
        "errors": field_errors,
        "error_summary": [
            (FIELD_ANCHORS.get(name, f"id_{name}"), message)
            for name in FIELD_LABELS
            if (message := field_errors.get(name))
        ],
        "other_errors": other_errors,
        "throttled": throttled,
        "max_lengths": {name: getattr(fields[name], "max_length", None) for name in TEXT_FIELDS},
        "contact_methods": Inquiry.ContactMethod.choices,
        "languages": language_choices(),
        "reason_choices": REASON_CHOICES,
        "locations": locations,
        # The wordings as this page shows them: the consent recorded with the form is to these.
        "sms_consent_wording": current_sms_consent_wording(language),
        "email_consent_wording": current_email_consent_wording(language),
        "clinic_phone": _clinic_phone(),
    }
    return render(request, "intake/contact.html", context, status=status)


def _submitted_values(data: QueryDict) -> dict[str, Any]:
    """Return what the person typed and ticked, to put back in the form; never the honeypot."""
    values: dict[str, Any] = {name: data.get(name, "") for name in TEXT_FIELDS}
    values["preferred_contact_method"] = data.get("preferred_contact_method", "")
    values["preferred_language"] = data.get("preferred_language", "")
    values["location"] = data.get("location", "")
    values["reasons"] = data.getlist("reasons")
    for name in CHECKBOX_FIELDS:
        values[name] = data.get(name) in serializers.BooleanField.TRUE_VALUES
    return values


def _with_unix_newlines(data: QueryDict) -> QueryDict:
    """Count a line break as one character, as the textarea's maxlength did (browsers send CRLF)."""
    data = data.copy()
    for name in MULTILINE_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            data[name] = value.replace("\r\n", "\n")
    return data


def _error_messages(errors: dict[str, Any], *, hidden: tuple[str, ...] = ()) -> tuple[dict[str, str], list[str]]:
    """Return one message per visible field, and the messages that belong to no visible field."""
    field_errors: dict[str, str] = {}
    other_errors: list[str] = []
    for name, details in errors.items():
        detail = details[0] if isinstance(details, list) else details
        if name in FIELD_LABELS and name not in hidden:
            field_errors[name] = _field_message(name, detail)
        elif str(UNPLACED_ERROR) not in other_errors:
            other_errors.append(str(UNPLACED_ERROR))
    return field_errors, other_errors


def _field_message(name: str, detail: Any) -> str:
    """Say what to do, naming the field, where DRF's own message would not say which field it means."""
    code = getattr(detail, "code", None)
    label = FIELD_LABELS[name]
    if code in ("required", "blank", "null"):
        return str(MISSING_MESSAGES.get(name) or _("Fill in “%(field)s”.") % {"field": label})
    if code == "max_length":
        limit = getattr(InquirySubmitSerializer().fields[name], "max_length", None)
        return _("%(field)s must be %(limit)s characters or fewer.") % {"field": label, "limit": limit}
    if code in ("invalid_choice", "not_a_list"):
        return _("%(field)s: choose from the options shown.") % {"field": label}
    if code == "null_characters_not_allowed":
        return _("%(field)s contains characters that are not valid text.") % {"field": label}
    return str(detail)


def _location_options() -> list[dict[str, str]]:
    """Return the open locations to choose from (value, name, address on one line); none when there is no choice."""
    locations = list(locations_open())
    if len(locations) < 2:
        return []
    return [
        {
            "value": str(location.pk),
            "name": location.name,
            "address": ", ".join(line.strip() for line in location.address.splitlines() if line.strip()),
        }
        for location in locations
    ]


def _clinic_phone() -> dict[str, str] | None:
    """Return the clinic's number as people dial it and as a tel: link, or None before a clinic is set up."""
    # A display-only read of one column; it moves to a selector if anything else needs it.
    phone = Clinic.objects.order_by("id").values_list("phone", flat=True).first()
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return {"display": phone, "tel": phone}
    local = phonenumbers.region_code_for_number(number) == settings.PHONE_DEFAULT_REGION
    style = phonenumbers.PhoneNumberFormat.NATIONAL if local else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return {
        "display": phonenumbers.format_number(number, style),
        "tel": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    }
