from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, QuerySet, Value, When

from clinic.accounts import clinical
from clinic.accounts.locations import location_limit
from clinic.core.languages import language_name
from clinic.patients.models import Patient
from clinic.patients.selectors import EmailState, PhoneState, patient_email_consent_covers, patient_sms_consent_covers

from . import numbers
from .email.addresses import email_refusal, email_state
from .models import DeliveryAttempt, InboundMessage, OutboundMessage


def _kinds(model: type[InboundMessage] | type[OutboundMessage]) -> tuple[str, ...]:
    found = clinical.clinical_kinds(model)
    return tuple(sorted(found[1])) if found else ()


# What patients write in answer to check-ins, and crisis texts, are for clinicians only; so are the
# check-in questions and pages we send (the table is accounts/clinical.py).
CLINICAL_ROUTES = _kinds(InboundMessage)
CLINICAL_KINDS = _kinds(OutboundMessage)
CLINICAL_PERMISSION = clinical.CLINICAL_PERMISSION
HIDDEN_BODY = clinical.HIDDEN
can_read_clinical = clinical.can_read_clinical


def inbound_body_for(message: InboundMessage, *, clinical: bool) -> str:
    """The text as this reader may see it: a check-in answer or crisis text only for clinicians."""
    return message.body if clinical or message.route not in CLINICAL_ROUTES else HIDDEN_BODY


def outbound_body_for(message: OutboundMessage, *, clinical: bool) -> str:
    """A check-in question or an on-call page only for clinicians."""
    return message.body if clinical or message.kind not in CLINICAL_KINDS else HIDDEN_BODY


LANGUAGE_NOT_RECOGNISED = "not recognised"


def language_name_or_blank(code: str) -> str:
    """A language's English name for staff ("Spanish"), or "" for a text whose language was not recognised."""
    return language_name(code) if code else ""


def inbound_language_label(code: str) -> str:
    """How staff see the language a text is written in: "Spanish (es)", or "not recognised"."""
    return f"{language_name(code)} ({code})" if code else LANGUAGE_NOT_RECOGNISED


@dataclass(frozen=True)
class ConversationEntry:
    direction: str  # "outbound" or "inbound"
    id: int
    at: datetime
    body: str  # as written (an inbound text is never translated)
    status: str
    kind: str
    error_code: int | None
    attempts: list[DeliveryAttempt] = field(default_factory=list)  # outbound: calls to the provider, newest first
    # The language it is written in: inbound, as recognised ("" when it could not be told); outbound, as sent.
    language: str = ""


def conversation_for_patient(
    *, patient_id: int, phone: str, clinical: bool, limit: int = 200, user: User | AnonymousUser | None = None
) -> list[ConversationEntry]:
    """Both directions of a patient's texts, oldest first (the last `limit` of them).

    Without `clinical`, check-in answers and crisis texts show as HIDDEN_BODY. Given the reader, only the
    texts their locations let them see (a number several patients share also carries the others' texts).
    """
    outbound_rows = OutboundMessage.objects.filter(patient_id=patient_id)
    inbound_rows = InboundMessage.objects.filter(from_number=phone)
    if user is not None:
        outbound_rows = location_limit(outbound_rows, user=user)
        inbound_rows = location_limit(inbound_rows, user=user)
    outbound = [
        ConversationEntry(
            direction="outbound",
            id=m.id,
            at=m.sent_at or m.send_after,
            body=outbound_body_for(m, clinical=clinical),
            status=m.status,
            kind=m.kind,
            error_code=m.last_error_code,
            attempts=list(m.delivery_attempts.all()),
            language=m.language,
        )
        for m in outbound_rows.prefetch_related("delivery_attempts").order_by("-send_after")[:limit]
    ]
    inbound = [
        ConversationEntry(
            direction="inbound",
            id=m.id,
            at=m.received_at,
            body=inbound_body_for(m, clinical=clinical),
            status="received",
            kind=m.route,
            error_code=None,
            language=m.language,
        )
        for m in inbound_rows.order_by("-received_at")[:limit]
    ]
    return sorted(outbound + inbound, key=lambda entry: entry.at)[-limit:]


def inbox_messages(*, include_handled: bool = False) -> QuerySet[InboundMessage]:
    """Texts staff need to read: crisis first, then the oldest unhandled."""
    qs = InboundMessage.objects.select_related("patient", "handled_by").filter(
        route__in=[InboundMessage.Route.INBOX, InboundMessage.Route.CRISIS]
    )
    if not include_handled:
        qs = qs.filter(handled_at__isnull=True)
    urgent_first = Case(When(route=InboundMessage.Route.CRISIS, then=Value(0)), default=Value(1))
    return qs.order_by(urgent_first, "received_at")


def patient_phone_state(patient: Patient) -> PhoneState:
    """What our suppression list says of the patient's number, and whether a text may go to it."""
    state = numbers.number_state(patient.phone)
    refusal = numbers.texting_refusal(
        phone=patient.phone,
        consented=patient_sms_consent_covers(patient),
        state=state,
    )
    return PhoneState(
        opted_out=state is not None and state.opted_out_at is not None,
        opted_out_at=state.opted_out_at if state else None,
        opt_out_keyword=state.opt_out_keyword if state else "",
        opted_in_at=state.opted_in_at if state else None,
        undeliverable=state is not None and state.undeliverable_at is not None,
        undeliverable_at=state.undeliverable_at if state else None,
        can_text=refusal is None,
    )


def patient_email_state(patient: Patient) -> EmailState:
    """What our email suppression list says of the patient's address, and whether an email may go to it."""
    state = email_state(patient.email) if patient.email else None
    refusal = email_refusal(address=patient.email, consented=patient_email_consent_covers(patient), state=state)
    return EmailState(
        unsubscribed=state is not None and state.unsubscribed_at is not None,
        unsubscribed_at=state.unsubscribed_at if state else None,
        undeliverable=state is not None and state.undeliverable_at is not None,
        undeliverable_at=state.undeliverable_at if state else None,
        can_email=refusal == "",
        why_not=refusal,
    )
