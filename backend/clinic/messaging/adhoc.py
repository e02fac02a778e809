"""Texts staff write by hand: the same rules as every other text (consent, opt-out, texting hours)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.patients.models import Patient
from clinic.patients.selectors import patient_sms_consent_covers

from . import numbers
from .models import OutboundMessage
from .outbox import outbox_enqueue
from .segments import sms_segments, sms_segments_allowed
from .wording import forbidden_words_in

AD_HOC_REFUSALS = {
    "no SMS consent": "This patient has not agreed to receive texts at this number.",
    "opted out": "This number replied STOP; it gets no texts until it replies START.",
    "number undeliverable": "Carriers cannot deliver texts to this number; correct it first.",
    "no number": "This patient has no phone number on file.",
}


def text_send_ad_hoc(*, patient: Patient, body: str, by: Actor) -> OutboundMessage:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the text to send."})
    # The same rules as every wording the clinic sends (wording.py): about 459 characters at most (three
    # GSM-7 parts, or seven once an accent or emoji makes it Unicode), and never a drug name or diagnosis.
    if sms_segments(body) > sms_segments_allowed(body):
        raise ValidationError(
            {"body": f"Keep texts to about 459 characters: this one takes {sms_segments(body)} SMS parts."}
        )
    forbidden = forbidden_words_in(body)
    if forbidden:
        raise ValidationError({"body": f"Texts must not name a drug or a diagnosis ({', '.join(forbidden)})."})
    # Written now, sent within texting hours: only the lasting refusals are the caller's to hear.
    refusal = numbers.texting_refusal(
        phone=patient.phone,
        consented=patient_sms_consent_covers(patient),
    )
    if refusal is not None:
        raise ValidationError(
            {"patient": AD_HOC_REFUSALS.get(refusal.reason, f"No texts to this number: {refusal.reason}.")}
        )
    with transaction.atomic():
        message = outbox_enqueue(
            kind=OutboundMessage.Kind.AD_HOC,
            to_number=patient.phone,
            body=body,
            language=patient.language,
            clinic=patient.clinic,
            patient_id=patient.pk,
            idempotency_key=f"adhoc:{uuid.uuid4()}",
            created_by=by.user_or_none,
        )
        audit_by(by, action=AuditEvent.Action.CREATE, target=message, detail=f"ad-hoc text to patient {patient.pk}")
    return message
