"""Consent, per channel: the wordings people agree to (a new wording gets a new version; old ones stay),
what is recorded when they do, and whether recorded consent covers an address."""

from __future__ import annotations

import datetime

SMS_CONSENT_WORDINGS: dict[str, str] = {
    "2026-11-v1": (
        "I agree to receive text messages from the clinic about my inquiry and appointments, "
        "including reminders and check-ins, at the number I gave. Message frequency varies. "
        "Message and data rates may apply. Reply STOP to opt out, HELP for help. "
        "Consent is not a condition of care."
    ),
}
CURRENT_SMS_CONSENT_VERSION = "2026-11-v1"


def current_sms_consent_wording() -> str:
    return SMS_CONSENT_WORDINGS[CURRENT_SMS_CONSENT_VERSION]


# Choosing email as the way to be reached (on the form, or told to staff) is consent to emails at that address.
EMAIL_CONSENT_WORDINGS: dict[str, str] = {
    "2026-12-email-v1": (
        "I agree to receive emails from the clinic about my inquiry and appointments, including reminders, "
        "at the address I gave. Every email has a link to unsubscribe. Consent is not a condition of care."
    ),
}
CURRENT_EMAIL_CONSENT_VERSION = "2026-12-email-v1"


def sms_consent_covers(*, consented: bool, consent_phone: str, phone: str, number: str) -> bool:
    """Whether a person's recorded SMS consent (`consented`, given for `consent_phone`) covers texts to `number`.

    Consent belongs to a number: it covers `number` only while that is still the person's number and
    it was given for it. An empty `consent_phone` was recorded before numbers were kept with consent:
    it counts for the number on file, which every phone change goes through a service that clears it for.
    """
    return consented and phone == number and consent_phone in (number, "")


def email_consent_covers(*, consented: bool, consent_address: str, address: str, to_email: str) -> bool:
    """Whether a person's recorded email consent (given for `consent_address`) covers emails to `to_email`:
    only while that is still their address, compared without case."""
    return consented and bool(consent_address) and address.lower() == to_email.lower() == consent_address.lower()


def current_email_consent_wording() -> str:
    return EMAIL_CONSENT_WORDINGS[CURRENT_EMAIL_CONSENT_VERSION]


# The fields a consent is recorded in, per channel, on every model that keeps one (inquiries, patients):
# `<channel>_consent_at`, `_version`, `_source`, and the address it was given for.
_ADDRESS_FIELD = {"sms": "sms_consent_phone", "email": "email_consent_address"}
_CURRENT_VERSION = {"sms": CURRENT_SMS_CONSENT_VERSION, "email": CURRENT_EMAIL_CONSENT_VERSION}


def consent_fields(channel: str) -> tuple[str, ...]:
    return (f"{channel}_consent_at", f"{channel}_consent_version", f"{channel}_consent_source", _ADDRESS_FIELD[channel])


def consent_record(record: object, *, channel: str, address: str, source: str, now: datetime.datetime) -> None:
    """Set on `record` the consent given now to the current wording of `channel`, for `address`."""
    values = (now, _CURRENT_VERSION[channel], source, address)
    for field, value in zip(consent_fields(channel), values, strict=True):
        setattr(record, field, value)


def consent_clear(record: object, *, channel: str) -> None:
    """Remove the consent recorded on `record` for `channel`."""
    for field, value in zip(consent_fields(channel), (None, "", "", ""), strict=True):
        setattr(record, field, value)
