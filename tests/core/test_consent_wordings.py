"""Consent wordings per language: the words people read, and the version that records which words."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from pytest_django.fixtures import Settings

from clinic.core.consent import (
    CURRENT_EMAIL_CONSENT_VERSION,
    CURRENT_SMS_CONSENT_VERSION,
    consent_record,
    consent_shown,
    consent_version,
    consent_wording,
    current_email_consent_wording,
    current_sms_consent_wording,
)

SMS_EN = (
    "I agree to receive text messages from the clinic about my inquiry and appointments, "
    "including reminders and check-ins, at the number I gave. Message frequency varies. "
    "Message and data rates may apply. Reply STOP to opt out, HELP for help. "
    "Consent is not a condition of care."
)
EMAIL_EN = (
    "I agree to receive emails from the clinic about my inquiry and appointments, including reminders, "
    "at the address I gave. Every email has a link to unsubscribe. Consent is not a condition of care."
)
# The recorded versions stand for exactly these words. A changed translation is a new wording: give it a
# new version in clinic/core/consent.py (the old one stays) instead of editing these.
PINNED = {
    ("sms", "2026-11-v1"): SMS_EN,
    ("sms", "2026-11-v1-es"): (
        "Acepto recibir mensajes de texto de la clínica sobre mi solicitud y mis citas, incluidos "
        "recordatorios y mensajes de seguimiento, en el número que indiqué. La frecuencia de los mensajes "
        "varía. Pueden aplicarse tarifas de mensajes y datos. Responda STOP para dejar de recibirlos y HELP "
        "para obtener ayuda. El consentimiento no es una condición para recibir atención."
    ),
    ("email", "2026-12-email-v1"): EMAIL_EN,
    ("email", "2026-12-email-v1-es"): (
        "Acepto recibir correos electrónicos de la clínica sobre mi solicitud y mis citas, incluidos "
        "recordatorios, en la dirección que indiqué. Cada correo incluye un enlace para darse de baja. "
        "El consentimiento no es una condición para recibir atención."
    ),
}
NOW = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("channel", "version"), sorted(PINNED))
def test_each_recorded_version_stands_for_its_pinned_words(channel: str, version: str) -> None:
    assert consent_wording(channel=channel, version=version) == PINNED[(channel, version)]


@pytest.mark.parametrize(
    ("channel", "language", "version"),
    [
        ("sms", "en", "2026-11-v1"),
        ("sms", "es", "2026-11-v1-es"),
        ("sms", "es-MX", "2026-11-v1-es"),
        ("sms", "fr", "2026-11-v1"),  # not offered here: the English wording is shown and agreed to
        ("email", "en", "2026-12-email-v1"),
        ("email", "es", "2026-12-email-v1-es"),
    ],
)
def test_the_wording_shown_in_a_language_comes_with_the_version_that_names_it(
    channel: str, language: str, version: str
) -> None:
    assert consent_shown(channel=channel, language=language) == (version, PINNED[(channel, version)])
    assert consent_version(channel=channel, language=language) == version


def test_english_stays_what_it_was_for_everything_that_quotes_it() -> None:
    assert (CURRENT_SMS_CONSENT_VERSION, CURRENT_EMAIL_CONSENT_VERSION) == ("2026-11-v1", "2026-12-email-v1")
    assert current_sms_consent_wording() == SMS_EN
    assert current_email_consent_wording() == EMAIL_EN
    assert current_sms_consent_wording("es") == PINNED[("sms", "2026-11-v1-es")]
    assert current_email_consent_wording("es") == PINNED[("email", "2026-12-email-v1-es")]


def test_a_configured_language_without_a_translation_shows_and_records_english(settings: Settings) -> None:
    settings.LANGUAGES = [("en", "English"), ("es", "Spanish"), ("de", "German")]

    assert consent_shown(channel="sms", language="de") == ("2026-11-v1", SMS_EN)
    # No version was ever recorded for German words, so none is read as one.
    assert consent_wording(channel="sms", version="2026-11-v1-de") is None


@pytest.mark.parametrize(
    ("channel", "version"),
    [
        ("sms", "2026-11-v1-fr"),
        ("sms", "2026-10-v0"),
        ("sms", "2026-12-email-v1"),
        ("email", "2026-11-v1-es"),
        ("sms", ""),
    ],
)
def test_an_unknown_version_stands_for_no_words(channel: str, version: str) -> None:
    assert consent_wording(channel=channel, version=version) is None


def test_consent_is_recorded_with_the_version_of_the_language_read() -> None:
    spanish, english = SimpleNamespace(), SimpleNamespace()

    consent_record(spanish, channel="sms", address="+16175550142", source="web_form", now=NOW, language="es")
    consent_record(english, channel="email", address="dana@example.com", source="api", now=NOW)

    assert vars(spanish) == {
        "sms_consent_at": NOW,
        "sms_consent_version": "2026-11-v1-es",
        "sms_consent_source": "web_form",
        "sms_consent_phone": "+16175550142",
    }
    assert vars(english) == {
        "email_consent_at": NOW,
        "email_consent_version": "2026-12-email-v1",
        "email_consent_source": "api",
        "email_consent_address": "dana@example.com",
    }
