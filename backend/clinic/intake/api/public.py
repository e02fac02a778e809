"""The public "contact a doctor" endpoint: accepts inquiries, never returns stored ones."""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from redis.exceptions import RedisError
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.core.languages import language_choices, language_supported
from clinic.core.locations import locations_open
from clinic.core.models import Clinic
from clinic.core.serializer_fields import PhoneField, text_field
from clinic.core.throttling import ClientAddressThrottle
from clinic.scheduling.api.common import MAX_ID

from ..models import Inquiry, new_inquiry_reference
from ..services import IdempotencyKeyReused, InquiryInput, inquiry_submit

logger = logging.getLogger(__name__)


def request_language(request: HttpRequest) -> str:
    """The configured language this request is read in (LocaleMiddleware's choice: the language switch's
    cookie, else the browser's Accept-Language), "en" when none fits."""
    return language_supported(getattr(request, "LANGUAGE_CODE", None))


# The Reason rows keep these labels in English for staff; the form shows them in the page's language.
REASON_CHOICES = [
    ("depression", gettext_lazy("Depression")),
    ("anxiety", gettext_lazy("Anxiety")),
    ("ptsd", gettext_lazy("PTSD")),
    ("ocd", gettext_lazy("OCD")),
    ("chronic_pain", gettext_lazy("Chronic pain")),
    ("other", gettext_lazy("Other")),
]
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{8,100}$")
# A US ZIP code: five digits, or ZIP+4 ("85004-1234"). ASCII digits only.
POSTCODE_PATTERN = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")


class InquiryBurstThrottle(ClientAddressThrottle):
    """Per client address, for everyone: the public form has no signed-in callers."""

    scope = "inquiry_burst"

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            # The counters live in the cache; while it is down, a patient's inquiry matters more than the limit.
            logger.warning("inquiry throttle: cache unreachable (%s); not throttling", type(exc).__name__)
            return True


class InquiryDailyThrottle(InquiryBurstThrottle):
    scope = "inquiry_daily"


@extend_schema_field(OpenApiTypes.INT)
class OpenLocationField(serializers.Field[Clinic | None, Any, int | None, Any]):
    """The id of one of the organization's open locations; empty or null means "not sure".

    Anything else (an unknown or closed location, a boolean, a list, a huge number) gets the same one
    message, which says nothing about what is stored beyond the locations the page itself lists.
    """

    default_error_messages = {"invalid": gettext_lazy("Choose one of our locations.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> Clinic | None:
        if isinstance(data, str):
            data = data.strip()
            if data == "":
                return None
            if not (data.isascii() and data.isdigit()):
                self.fail("invalid")
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int) or not 1 <= data <= MAX_ID:
            self.fail("invalid")
        location = locations_open().filter(pk=data).first()
        if location is None:
            self.fail("invalid")
        return location

    def to_representation(self, value: Clinic | None) -> int | None:
        return value.pk if value is not None else None


class InquirySubmitSerializer(serializers.Serializer[Any]):
    first_name = text_field(100, required=True)
    last_name = text_field(100, required=True)
    phone = PhoneField()
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    preferred_contact_method = serializers.ChoiceField(
        choices=Inquiry.ContactMethod.choices, required=False, default=Inquiry.ContactMethod.PHONE
    )
    best_time_to_reach = text_field(100)
    reasons = serializers.MultipleChoiceField(choices=REASON_CHOICES, required=False, allow_empty=True)
    prior_treatments = text_field(1000)
    message = text_field(2000)
    preferred_language = serializers.ChoiceField(
        choices=[],
        required=False,
        help_text=(
            "The language to text, email and call the person in. When absent, the request's language "
            "(Accept-Language), or en."
        ),
    )
    location = OpenLocationField(
        help_text=(
            "The id of the open location the person would like to visit. Leave out (or null) if they are not "
            "sure: the nearest open location to `postcode` is taken, else front desk decides. With one open "
            "location, that one."
        )
    )
    postcode = text_field(
        10, help_text="The person's US ZIP code (12345 or 12345-6789), to suggest the nearest location; not stored."
    )
    sms_consent = serializers.BooleanField(required=False, default=False)
    privacy_acknowledged = serializers.BooleanField(required=False, default=False)
    is_adult = serializers.BooleanField(required=False, default=False)
    # Honeypot: hidden from people by the form, filled in by bots.
    website = serializers.CharField(required=False, allow_blank=True, write_only=True, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read when a serializer is made, so the choices are always the configured languages.
        cast(serializers.ChoiceField, self.fields["preferred_language"]).choices = language_choices()

    def validate_privacy_acknowledged(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("Please confirm you have read the privacy notice."))
        return value

    def validate_is_adult(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("Please confirm you are 18 or older."))
        return value

    def validate_postcode(self, value: str) -> str:
        if value and not POSTCODE_PATTERN.match(value):
            raise serializers.ValidationError(_("Enter a ZIP code of 5 digits (or ZIP+4), for example 85004."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        method = attrs.get("preferred_contact_method")
        errors = {}
        if method == Inquiry.ContactMethod.EMAIL and not attrs.get("email"):
            errors["email"] = _("Please give an email address, since you prefer to be contacted by email.")
        if method == Inquiry.ContactMethod.SMS and not attrs.get("sms_consent"):
            errors["sms_consent"] = _("Please agree to receive texts, since you prefer to be contacted by text.")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_input(self, *, language: str) -> InquiryInput:
        """The submission, read on a page (or sent with Accept-Language) in `language`: the consent
        wordings were shown in it, and it is the preferred language unless one was chosen."""
        data = self.validated_data
        return InquiryInput(
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            email=data.get("email", ""),
            preferred_contact_method=data["preferred_contact_method"],
            best_time_to_reach=data.get("best_time_to_reach", ""),
            reasons=sorted(data.get("reasons") or []),
            prior_treatments=data.get("prior_treatments", ""),
            message=data.get("message", ""),
            sms_consent=data["sms_consent"],
            preferred_language=data.get("preferred_language") or language,
            consent_language=language,
            location_id=location.pk if (location := data.get("location")) is not None else None,
            postcode=data.get("postcode", ""),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.validated_data.get("website"))


def inquiry_next_steps(*, preferred_contact_method: str, sms_consent: bool) -> str:
    """Tell the person what happens now, in the active language, in words that carry none of their data."""
    steps = [
        {
            Inquiry.ContactMethod.SMS: _(
                "Thank you. A member of our care team will reach out by text within one business day "
                "to talk about your questions and next steps."
            ),
            Inquiry.ContactMethod.PHONE: _(
                "Thank you. A member of our care team will reach out by phone within one business day "
                "to talk about your questions and next steps."
            ),
            Inquiry.ContactMethod.EMAIL: _(
                "Thank you. A member of our care team will reach out by email within one business day "
                "to talk about your questions and next steps."
            ),
        }[Inquiry.ContactMethod(preferred_contact_method)],
        _("Please keep your reference number."),
    ]
    if sms_consent:
        steps.append(
            _("You will also get a text confirming we received your message; reply STOP at any time to opt out.")
        )
    steps.append(_("If you are in crisis, call or text 988, or call 911 in an emergency."))
    return " ".join(steps)


RESPONSE_SERIALIZER = inline_serializer(
    name="InquiryReceived",
    fields={
        "reference": serializers.CharField(),
        "status": serializers.CharField(),
        "next_steps": serializers.CharField(),
    },
)


class InquirySubmitView(APIView):
    """POST a contact-a-doctor inquiry. Anyone may call it; it is throttled per address.

    Messages (errors, next steps) come in the request's language (Accept-Language), which is also the
    language the consent wordings are recorded as shown in.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [InquiryBurstThrottle, InquiryDailyThrottle]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=InquirySubmitSerializer,
        responses={201: RESPONSE_SERIALIZER, 422: OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Resending the same content with the same key returns the first answer and stores nothing "
                    "new; the same key with other content is refused with 422."
                ),
            )
        ],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and not IDEMPOTENCY_KEY_PATTERN.match(key):
            return Response(
                {"idempotency_key": [_("Use 8 to 100 letters, digits, or . _ : - characters.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        serializer = InquirySubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.is_bot:
            # Answer like a success so the bot learns nothing; store nothing.
            logger.info("inquiry honeypot filled; nothing stored")
            reference = new_inquiry_reference()
            method = serializer.validated_data["preferred_contact_method"]
            consent = serializer.validated_data["sms_consent"]
            replayed = False
        else:
            try:
                outcome = inquiry_submit(
                    data=serializer.to_input(language=request_language(request)),
                    source=Inquiry.Source.API,
                    idempotency_key=key,
                )
            except IdempotencyKeyReused:
                return Response(
                    {
                        "idempotency_key": [
                            _(
                                "This Idempotency-Key was already used for a different submission. "
                                "Use a new key for each new submission."
                            )
                        ]
                    },
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            # What this submission said, never the stored inquiry it may have been merged into.
            reference = outcome.submission.reference
            method = outcome.submission.preferred_contact_method
            consent = outcome.submission.sms_consent_at is not None
            replayed = outcome.replayed
        return Response(
            {
                "reference": reference,
                "status": "received",
                "next_steps": inquiry_next_steps(preferred_contact_method=method, sms_consent=consent),
            },
            status=status.HTTP_201_CREATED,
            headers={"Idempotent-Replayed": "true"} if replayed else {},
        )
