"""The SMS consent wording shown on the form. A new wording gets a new version; old ones stay."""

from __future__ import annotations

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
