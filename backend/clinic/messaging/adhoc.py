"""Texts staff write by hand: the same rules as every other text (consent, opt-out, texting hours)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.patients.models import Patient

from . import numbers
from .models import OutboundMessage
from .outbox import outbox_enqueue

MAX_AD_HOC_LENGTH = 459  # three SMS segments of plain text


def text_send_ad_hoc(*, patient: Patient, body: str, by: Actor) -> OutboundMessage:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the text to send."})
    if len(body) > MAX_AD_HOC_LENGTH:
        raise ValidationError({"body": f"Keep texts to {MAX_AD_HOC_LENGTH} characters (three messages) or fewer."})
    if patient.sms_consent_at is None:
        raise ValidationError({"patient": "This patient has not agreed to receive texts."})
    if numbers.number_is_opted_out(patient.phone):
        raise ValidationError({"patient": "This number replied STOP; it gets no texts until it replies START."})
    with transaction.atomic():
        message = outbox_enqueue(
            kind=OutboundMessage.Kind.AD_HOC,
            to_number=patient.phone,
            body=body,
            patient_id=patient.pk,
            idempotency_key=f"adhoc:{uuid.uuid4()}",
            created_by=by.user_or_none,
        )
        audit_by(by, action=AuditEvent.Action.CREATE, target=message, detail=f"ad-hoc text to patient {patient.pk}")
    return message
