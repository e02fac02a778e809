"""Self-booking as intake's follow-up (intake/followups.py): an offer after a submission, and the thanks page's part."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

from clinic.core.models import Clinic
from clinic.intake.followups import FollowUp, InquiryFollowUpProvider
from clinic.intake.models import Inquiry, InquirySubmission

from .pages import choice_context
from .selectors import offer_by_token
from .services import offer_link, selfbooking_offer_make
from .wording import ACK_TEXT, EMAIL_PARAGRAPH

PROVIDER_NAME = "selfbooking"


def _on_submit(inquiry: Inquiry, submission: InquirySubmission, data: Any, location: Clinic | None) -> FollowUp | None:
    made = selfbooking_offer_make(
        inquiry=inquiry,
        submission=submission,
        reasons=list(data.reasons),
        language=data.preferred_language,
        location=location,
    )
    if made is None:
        return None
    _, token = made
    link = offer_link(token)
    with translation.override(data.preferred_language):
        paragraph = str(EMAIL_PARAGRAPH).format(link=link)
    return FollowUp(key=token, ack_text=ACK_TEXT, ack_values={"link": link}, email_paragraph=paragraph)


def _thanks_part(request: HttpRequest, key: str) -> str:
    offer = offer_by_token(key)
    if offer is None or offer.used_at is not None:
        return ""  # expired or already used: the thanks page says what happens next, as for anyone
    context = choice_context(offer, token=key)
    return render_to_string("selfbooking/_choice.html", context, request=request)


PROVIDER = InquiryFollowUpProvider(name=PROVIDER_NAME, on_submit=_on_submit, thanks_part=_thanks_part)
