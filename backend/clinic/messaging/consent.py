"""Consent belongs to a number: whether the person a text is for agreed to texts at exactly that number."""

from __future__ import annotations

from clinic.core.consent import sms_consent_covers
from clinic.patients.selectors import patient_sms_consent_covers

from .models import OutboundMessage


def consent_covers(message: OutboundMessage) -> bool:
    """Whether the patient or inquirer a text is for agreed to texts at the row's `to_number`."""
    number = message.to_number
    if message.patient_id is not None:
        patient = message.patient
        return patient is not None and patient_sms_consent_covers(patient, number)
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


def _email_given_for(*, consent_address: str, address: str, to_email: str) -> bool:
    """Email consent covers `to_email` only if it was given for that address and it is still the one on file."""
    return bool(consent_address) and address.lower() == to_email.lower() == consent_address.lower()


def email_consent_covers(message: OutboundMessage) -> bool:
    """Whether the patient or inquirer an email is for agreed to emails at the row's `to_email`."""
    to_email = message.to_email
    if message.patient_id is not None:
        patient = message.patient
        return (
            patient is not None
            and patient.email_consent_at is not None
            and _email_given_for(
                consent_address=patient.email_consent_address, address=patient.email, to_email=to_email
            )
        )
    if message.inquiry_id is not None:
        inquiry = message.inquiry
        if inquiry is None:
            return False
        if inquiry.email_consent_at is not None and _email_given_for(
            consent_address=inquiry.email_consent_address, address=inquiry.email, to_email=to_email
        ):
            return True
        # A merged submission's acknowledgement goes to the address given, with consent, in that submission.
        return (
            message.kind == OutboundMessage.Kind.INQUIRY_ACK
            and inquiry.submissions.filter(email__iexact=to_email, email_consent_at__isnull=False).exists()
        )
    return False
