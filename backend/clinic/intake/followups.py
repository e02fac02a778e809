"""What the thanks page and the acknowledgement add after an inquiry: offers that apps above intake register.

An app above intake registers one `InquiryFollowUpProvider` in its AppConfig.ready(). After a submission
is stored (inside its transaction), each provider may return a `FollowUp`: the acknowledgement then uses
its text (with a link) and its email paragraph, and the thanks page shows its part. Decided from the
submission alone, like everything the public form answers (DESIGN.md section 5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from clinic.core.models import Clinic

from .models import Inquiry, InquirySubmission

# The submission as validated: services.InquiryInput (typed loosely here, since services imports this module).
InquiryInput = Any


@dataclass(frozen=True)
class FollowUp:
    """What one provider adds after a submission."""

    # Opaque to intake: carried in the thanks page's signed receipt back to the provider's thanks part.
    key: str = ""
    # A registered text sent instead of "inquiry_ack" (it gets {clinic}, {first_name} and these values).
    ack_text: str = ""
    ack_values: dict[str, str] = field(default_factory=dict)
    # A paragraph added to the acknowledgement email, already in the person's language.
    email_paragraph: str = ""


@dataclass(frozen=True)
class InquiryFollowUpProvider:
    name: str
    # (inquiry, submission, data, location) -> FollowUp or None; runs inside the submission's transaction.
    on_submit: Callable[[Inquiry, InquirySubmission, InquiryInput, Clinic | None], FollowUp | None]
    # (request, key) -> safe HTML for the thanks page, or "" (the key came from a signed receipt).
    thanks_part: Callable[[HttpRequest, str], str]


FOLLOW_UP_PROVIDERS: list[InquiryFollowUpProvider] = []


def inquiry_followup_register(provider: InquiryFollowUpProvider) -> None:
    """Add a provider (from an AppConfig.ready()); registering the same name twice keeps the first."""
    if all(known.name != provider.name for known in FOLLOW_UP_PROVIDERS):
        FOLLOW_UP_PROVIDERS.append(provider)


def inquiry_followups(
    *, inquiry: Inquiry, submission: InquirySubmission, data: InquiryInput, location: Clinic | None
) -> dict[str, FollowUp]:
    """Ask every provider what it adds after this submission, by provider name."""
    found: dict[str, FollowUp] = {}
    for provider in FOLLOW_UP_PROVIDERS:
        follow_up = provider.on_submit(inquiry, submission, data, location)
        if follow_up is not None:
            found[provider.name] = follow_up
    return found


def inquiry_thanks_parts(request: HttpRequest, keys: dict[str, str]) -> list[str]:
    """The HTML parts the providers add to the thanks page, for the keys the receipt carries."""
    parts = []
    for provider in FOLLOW_UP_PROVIDERS:
        key = keys.get(provider.name)
        if key:
            part = provider.thanks_part(request, key)
            if part:
                parts.append(part)
    return parts
