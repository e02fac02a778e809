"""Consent, per channel: the wordings people agree to (a new wording gets a new version; old ones stay),
what is recorded when they do, and whether recorded consent covers an address.

Each wording is written here in English and translated in core's catalogues (locale/<code>/), one
entry per version: the version is the translation's context, so a reworded translation is a new
version here too. People agree to the wording in the language they read it in, and the version
recorded says which: "2026-11-v1" is the English wording, "2026-11-v1-es" its Spanish translation.
A language whose catalogue lacks a wording shows the English one, and records the English version.
"""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrPromise

from clinic.core.languages import LANGUAGE_DEFAULT, language_codes, language_supported

SMS_CONSENT_WORDINGS: dict[str, StrPromise] = {
    "2026-11-v1": pgettext_lazy(
        "sms consent 2026-11-v1",
        "I agree to receive text messages from the clinic about my inquiry and appointments, "
        "including reminders and check-ins, at the number I gave. Message frequency varies. "
        "Message and data rates may apply. Reply STOP to opt out, HELP for help. "
        "Consent is not a condition of care.",
    ),
}
CURRENT_SMS_CONSENT_VERSION = "2026-11-v1"

# Choosing email as the way to be reached (on the form, or told to staff) is consent to emails at that address.
EMAIL_CONSENT_WORDINGS: dict[str, StrPromise] = {
    "2026-12-email-v1": pgettext_lazy(
        "email consent 2026-12-email-v1",
        "I agree to receive emails from the clinic about my inquiry and appointments, including reminders, "
        "at the address I gave. Every email has a link to unsubscribe. Consent is not a condition of care.",
    ),
}
CURRENT_EMAIL_CONSENT_VERSION = "2026-12-email-v1"

_WORDINGS = {"sms": SMS_CONSENT_WORDINGS, "email": EMAIL_CONSENT_WORDINGS}
_CURRENT_VERSION = {"sms": CURRENT_SMS_CONSENT_VERSION, "email": CURRENT_EMAIL_CONSENT_VERSION}


def _rendered(wording: StrPromise, language: str) -> str:
    with translation.override(language):
        return str(wording)


def _shown(channel: str, version: str, language: str) -> tuple[str, str]:
    """(version, text) of wording `version` of `channel` as a reader of `language` sees it."""
    wording = _WORDINGS[channel][version]
    english = _rendered(wording, LANGUAGE_DEFAULT)
    code = language_supported(language)
    text = _rendered(wording, code)
    if code == LANGUAGE_DEFAULT or text == english:
        return version, english  # no translation: the English wording is what is shown and agreed to
    return f"{version}-{code}", text


def consent_shown(*, channel: str, language: str) -> tuple[str, str]:
    """The current consent wording of `channel` ("sms", "email") in `language`: (version to record, text)."""
    return _shown(channel, _CURRENT_VERSION[channel], language)


def consent_version(*, channel: str, language: str) -> str:
    """The version to record for consent to the current wording of `channel` as shown in `language`."""
    return consent_shown(channel=channel, language=language)[0]


def consent_wording(*, channel: str, version: str) -> str | None:
    """The exact words a recorded `version` of `channel` stands for, or None for a version not known here."""
    wordings = _WORDINGS[channel]
    if version in wordings:
        return _rendered(wordings[version], LANGUAGE_DEFAULT)
    base, _, code = version.rpartition("-")
    if base in wordings and code in language_codes():
        shown_version, text = _shown(channel, base, code)
        if shown_version == version:
            return text
    return None


def current_sms_consent_wording(language: str = LANGUAGE_DEFAULT) -> str:
    return consent_shown(channel="sms", language=language)[1]


def current_email_consent_wording(language: str = LANGUAGE_DEFAULT) -> str:
    return consent_shown(channel="email", language=language)[1]


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


# The fields a consent is recorded in, per channel, on every model that keeps one (inquiries, patients):
# `<channel>_consent_at`, `_version`, `_source`, and the address it was given for.
_ADDRESS_FIELD = {"sms": "sms_consent_phone", "email": "email_consent_address"}


def consent_fields(channel: str) -> tuple[str, ...]:
    return (f"{channel}_consent_at", f"{channel}_consent_version", f"{channel}_consent_source", _ADDRESS_FIELD[channel])


def consent_record(
    record: object,
    *,
    channel: str,
    address: str,
    source: str,
    now: datetime.datetime,
    language: str = LANGUAGE_DEFAULT,
) -> None:
    """Set on `record` the consent given now to the current wording of `channel`, as shown in `language`,
    for `address`."""
    values = (now, consent_version(channel=channel, language=language), source, address)
    for field, value in zip(consent_fields(channel), values, strict=True):
        setattr(record, field, value)


def consent_clear(record: object, *, channel: str) -> None:
    """Remove the consent recorded on `record` for `channel`."""
    for field, value in zip(consent_fields(channel), (None, "", "", ""), strict=True):
        setattr(record, field, value)
