"""POST /api/v1/inquiries/ in the caller's language: the preferred language stored, consent, messages."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from clinic.intake.models import Inquiry, InquiryNote, InquirySubmission
from tests.support.inquiries import INQUIRY_URL, inquiry_payload

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9,en;q=0.5"}
PERSONAL = ("Dana", "Whitlock", "555", "dana@example.com", "depression", "SSRI")


def submit(api: APIClient, payload: dict[str, Any], **headers: Any) -> Inquiry:
    response = api.post(INQUIRY_URL, payload, format="json", **headers)
    assert response.status_code == 201, response.content
    return Inquiry.objects.get(reference=response.json()["reference"])


def test_without_a_language_the_request_language_is_stored_and_spoken(api: APIClient) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(), format="json", **SPANISH)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"reference", "status", "next_steps"}
    assert body["status"] == "received"
    assert body["next_steps"] == (
        "Gracias. Un miembro de nuestro equipo de atención se comunicará con usted por mensaje de texto en un "
        "plazo de un día hábil para hablar de sus preguntas y de los próximos pasos. Guarde su número de "
        "referencia. También recibirá un mensaje de texto que confirma que recibimos su mensaje; responda STOP "
        "en cualquier momento para dejar de recibir mensajes. Si está en crisis, llame o envíe un mensaje de "
        "texto al 988, o llame al 911 si es una emergencia."
    )
    assert response["Content-Language"] == "es"
    for personal in PERSONAL:
        assert personal not in response.content.decode()
    inquiry = Inquiry.objects.get(reference=body["reference"])
    assert inquiry.preferred_language == "es"
    assert (inquiry.sms_consent_version, inquiry.sms_consent_source) == ("2026-11-v1-es", "api")
    assert InquirySubmission.objects.get().sms_consent_version == "2026-11-v1-es"


@pytest.mark.parametrize(
    ("accept_language", "stored"),
    [
        (None, "en"),
        ("es", "es"),
        ("es-419", "es"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9", "en"),  # a language this clinic does not offer
        ("fr-FR,es;q=0.8,en;q=0.5", "es"),  # the first one it offers
        ("*", "en"),
        ("not a language header", "en"),
    ],
)
def test_the_default_follows_accept_language(api: APIClient, accept_language: str | None, stored: str) -> None:
    headers = {} if accept_language is None else {"HTTP_ACCEPT_LANGUAGE": accept_language}

    inquiry = submit(api, inquiry_payload(), **headers)

    assert inquiry.preferred_language == stored
    assert inquiry.sms_consent_version == {"en": "2026-11-v1", "es": "2026-11-v1-es"}[stored]


def test_an_explicit_language_wins_and_consent_stays_with_the_language_read(api: APIClient) -> None:
    # Texts wanted in Spanish by someone whose browser (and so the wording shown) is English.
    spanish_texts = submit(api, inquiry_payload(preferred_language="es"), HTTP_ACCEPT_LANGUAGE="en-US")
    # And the other way round.
    english_texts = submit(
        api, inquiry_payload(phone="6175550143", email="ana@example.com", preferred_language="en"), **SPANISH
    )

    assert (spanish_texts.preferred_language, spanish_texts.sms_consent_version) == ("es", "2026-11-v1")
    assert (english_texts.preferred_language, english_texts.sms_consent_version) == ("en", "2026-11-v1-es")


def test_email_consent_through_the_api_records_the_wording_of_the_request_language(api: APIClient) -> None:
    inquiry = submit(api, inquiry_payload(preferred_contact_method="email", sms_consent=False), **SPANISH)

    assert inquiry.email_consent_version == "2026-12-email-v1-es"
    assert inquiry.sms_consent_version == ""


def test_the_language_can_be_sent_form_encoded(api: APIClient) -> None:
    response = api.post(
        INQUIRY_URL,
        "first_name=Ana&last_name=Li&phone=6175550143&preferred_language=es&privacy_acknowledged=on&is_adult=on",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201, response.content
    assert Inquiry.objects.get().preferred_language == "es"
    assert response.json()["next_steps"].startswith("Thank you. A member of our care team will reach out by phone")


@pytest.mark.parametrize("value", ["fr", "ES", "es-MX", "spanish", "", " es", None, 1, ["es"], {"code": "es"}])
def test_any_other_language_is_a_400_naming_the_field(api: APIClient, value: Any) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(preferred_language=value), format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"preferred_language"}
    assert Inquiry.objects.count() == 0


def test_validation_messages_come_in_the_request_language(api: APIClient) -> None:
    payload = inquiry_payload(phone="12345", privacy_acknowledged=False, preferred_language="fr", email="nope")

    spanish = api.post(INQUIRY_URL, payload, format="json", **SPANISH)
    english = api.post(INQUIRY_URL, payload, format="json")

    assert spanish.status_code == english.status_code == 400
    assert spanish.json() == {
        "phone": ["Escriba un número de teléfono válido, con el código de área."],
        "email": ["Introduzca una dirección de correo electrónico válida."],
        "preferred_language": ['"fr" no es una elección válida.'],
        "privacy_acknowledged": ["Confirme que ha leído el aviso de privacidad."],
    }
    assert english.json() == {
        "phone": ["Enter a valid phone number, including the area code."],
        "email": ["Enter a valid email address."],
        "preferred_language": ['"fr" is not a valid choice.'],
        "privacy_acknowledged": ["Please confirm you have read the privacy notice."],
    }


def test_cross_field_rules_and_the_idempotency_key_speak_spanish(api: APIClient) -> None:
    no_consent = api.post(
        INQUIRY_URL, inquiry_payload(sms_consent=False), format="json", **SPANISH
    )  # texts preferred, not agreed to
    bad_key = api.post(INQUIRY_URL, inquiry_payload(), format="json", HTTP_IDEMPOTENCY_KEY="short", **SPANISH)

    assert no_consent.status_code == bad_key.status_code == 400
    assert no_consent.json() == {
        "sms_consent": ["Acepte recibir mensajes de texto, ya que prefiere que le contactemos por mensaje de texto."]
    }
    assert bad_key.json() == {"idempotency_key": ["Use de 8 a 100 letras, números o los caracteres . _ : -"]}


def test_a_retry_with_the_same_key_and_language_is_replayed(api: APIClient) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-es-0001", **SPANISH}
    first = api.post(INQUIRY_URL, inquiry_payload(), format="json", **headers)
    again = api.post(INQUIRY_URL, inquiry_payload(), format="json", **headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert InquirySubmission.objects.count() == 1


def test_a_merged_submission_notes_its_language_without_changing_the_inquiry(api: APIClient) -> None:
    first = submit(api, inquiry_payload())
    response = api.post(INQUIRY_URL, inquiry_payload(preferred_language="es"), format="json", **SPANISH)

    assert response.status_code == 201
    first.refresh_from_db()
    assert first.preferred_language == "en"
    assert first.sms_consent_version == "2026-11-v1"
    merged = InquirySubmission.objects.get(merged=True)
    assert merged.sms_consent_version == "2026-11-v1-es"  # consent to the Spanish wording, kept with the submission
    note = InquiryNote.objects.get(inquiry=first).body
    assert "Preferred language: Spanish (es)" in note.splitlines()
