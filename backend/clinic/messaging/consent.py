"""Consent belongs to a number: whether the person a text is for agreed to texts at exactly that number."""

from __future__ import annotations

from clinic.core.consent import sms_consent_covers

from .models import OutboundMessage


def consent_covers(message: OutboundMessage) -> bool:
    """Whether the patient or inquirer a text is for agreed to texts at the row's `to_number`."""
    number = message.to_number
    if message.patient_id is not None:
        patient = message.patient
        return patient is not None and sms_consent_covers(
            consented=patient.sms_consent_at is not None,
            consent_phone=patient.sms_consent_phone,
            phone=patient.phone,
            number=number,
        )
    if message.inquiry_id is not None:
        inquiry = message.inquiry
        if inquiry is None:
            return False
        if sms_consent_covers(
            consented=inquiry.sms_consent,
            consent_phone=inquiry.sms_consent_phone,
            phone=inquiry.phone,
            number=number,
        ):
            return True
        # A merged submission's acknowledgement goes to the number given, with consent, in that submission.
        return (
            message.kind == OutboundMessage.Kind.INQUIRY_ACK
            and inquiry.submissions.filter(phone=number, sms_consent_at__isnull=False).exists()
        )
    return False
