"""The /contact/ page in the visitor's language: Accept-Language, the language switch, and what is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape
from pytest_django.fixtures import Settings

from clinic.core.consent import current_email_consent_wording, current_sms_consent_wording
from clinic.intake.models import Inquiry, InquirySubmission
from tests.factories import ClinicFactory
from tests.support.contact_page import FormControls, valid_form

pytestmark = pytest.mark.django_db

URL = "/contact/"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9,en;q=0.5"}
SWITCH_URL = "/i18n/setlang/"

# What a Spanish reader sees where the English page says something else (the page's own words).
SPANISH_WORDS = [
    '<html lang="es">',
    "<title>Comuníquese con un médico</title>",
    "<h1>Comuníquese con un médico</h1>",
    "Saltar al contenido principal",
    'aria-label="Ayuda en caso de crisis"',
    '<strong>Si está en crisis, llame o envíe un mensaje de texto al <a href="tel:988">988</a>, o llame al '
    '<a href="tel:911">911</a>.</strong> Este formulario no es para emergencias.',
    "Cuéntenos un poco sobre usted",
    '¿Prefiere hablar con alguien? Llámenos al <a href="tel:+16175550100">(617) 555-0100</a>.',
    '<label class="label" for="id_first_name">Nombre</label>',
    '<label class="label" for="id_last_name">Apellidos</label>',
    '<label class="label" for="id_phone">Número de teléfono</label>',
    "Incluya el código de área, por ejemplo (617) 555-0142.",
    '<label class="label" for="id_email">Correo electrónico (opcional)</label>',
    '<legend class="label">¿Cómo prefiere que nos comuniquemos con usted?</legend>',
    '<label for="id_preferred_contact_method_0">Mensaje de texto</label>',
    '<label for="id_preferred_contact_method_1">Llamada telefónica</label>',
    '<label for="id_preferred_contact_method_2">Correo electrónico</label>',
    '<legend class="label">¿En qué idioma prefiere que le escribamos y le llamemos?</legend>',
    '<label for="id_reasons_0">Depresión</label>',
    '<label for="id_reasons_1">Ansiedad</label>',
    '<label for="id_reasons_2">Estrés postraumático (TEPT)</label>',
    '<label for="id_reasons_3">Trastorno obsesivo-compulsivo (TOC)</label>',
    '<label for="id_reasons_4">Dolor crónico</label>',
    '<label for="id_reasons_5">Otro motivo</label>',
    "Marque todas las opciones que correspondan.",
    '<label for="id_privacy_acknowledged">He leído el aviso de privacidad de la clínica.</label>',
    '<label for="id_is_adult">Tengo 18 años o más.</label>',
    '<button class="button" type="submit">Enviar mensaje</button>',
]
# English the Spanish page must not show.
ENGLISH_WORDS = [
    "Contact a doctor",
    "First name",
    "Phone number",
    "How should we contact you",
    "Text message",
    "Depression",
    "PTSD</label>",
    "privacy notice",
    "Send message",
    "I agree to receive",
    "If you are in crisis",
    "Skip to main content",
]


def page_in(client: Client, **headers: Any) -> str:
    response = client.get(URL, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_spanish_browser_gets_the_whole_page_in_spanish(client: Client) -> None:
    ClinicFactory(phone="+16175550100")

    html = page_in(client, **SPANISH)

    for words in SPANISH_WORDS:
        assert words in html, words
    for words in ENGLISH_WORDS:
        assert words not in html, words
    # The consent wordings shown are the Spanish ones, where they always are.
    assert f'<label for="id_sms_consent">{escape(current_sms_consent_wording("es"))}</label>' in html
    assert f"Si elige correo electrónico: {escape(current_email_consent_wording('es'))}</p>" in html
    assert current_sms_consent_wording("es").startswith("Acepto recibir mensajes de texto de la clínica")


def test_the_language_asked_about_defaults_to_the_page_language(client: Client) -> None:
    spanish = FormControls(page_in(client, **SPANISH))
    english = FormControls(page_in(client))

    assert "checked" in spanish.control("preferred_language", "es")
    assert "checked" not in spanish.control("preferred_language", "en")
    assert "checked" in english.control("preferred_language", "en")
    assert "checked" not in english.control("preferred_language", "es")
    assert [c.get("value") for c in english.controls if c.get("name") == "preferred_language"] == ["en", "es"]
    # Each language is offered in its own name, marked as written in it.
    html = page_in(client)
    assert '<label for="id_preferred_language_0" lang="en">English</label>' in html
    assert '<label for="id_preferred_language_1" lang="es">Español</label>' in html


def test_an_unsupported_browser_language_gets_english(client: Client) -> None:
    html = page_in(client, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert '<html lang="en">' in html and "<h1>Contact a doctor</h1>" in html
    assert "checked" in FormControls(html).control("preferred_language", "en")


def test_the_language_switch_names_each_language_in_its_own_name(client: Client) -> None:
    english = page_in(client)
    spanish = page_in(client, **SPANISH)

    assert '<nav class="language-switch" aria-label="Language">' in english
    assert '<span class="language-switch__current" lang="en" aria-current="true">English</span>' in english
    assert (
        '<button class="language-switch__choice" type="submit" name="language" value="es" lang="es">Español</button>'
        in english
    )
    assert '<nav class="language-switch" aria-label="Idioma">' in spanish
    assert '<span class="language-switch__current" lang="es" aria-current="true">Español</span>' in spanish
    assert (
        '<button class="language-switch__choice" type="submit" name="language" value="en" lang="en">English</button>'
        in spanish
    )
    assert f'<form action="{SWITCH_URL}" method="post">' in english
    assert FormControls(english).control("next")["value"] == URL


def test_the_switch_works_without_javascript_and_wins_over_the_browser_language() -> None:
    browser = Client(enforce_csrf_checks=True)
    page = FormControls(page_in(browser))
    token = next(c["value"] for c in page.controls if c.get("name") == "csrfmiddlewaretoken")

    switched = browser.post(SWITCH_URL, {"language": "es", "next": URL, "csrfmiddlewaretoken": token})

    assert switched.status_code == 302 and switched["Location"] == URL
    assert switched.cookies["django_language"].value == "es"
    html = page_in(browser, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="es">' in html and "<h1>Comuníquese con un médico</h1>" in html
    assert "checked" in FormControls(html).control("preferred_language", "es")

    back = browser.post(SWITCH_URL, {"language": "en", "next": URL, "csrfmiddlewaretoken": token})

    assert back.status_code == 302 and back["Location"] == URL
    assert '<html lang="en">' in page_in(browser, **SPANISH)


def test_the_switch_refuses_other_languages_and_other_sites(client: Client) -> None:
    unknown = client.post(SWITCH_URL, {"language": "fr", "next": URL})
    assert unknown.status_code == 302 and unknown["Location"] == URL
    # Django keeps any language it knows in the cookie; the page speaks only the configured ones.
    assert '<html lang="es">' in page_in(client, **SPANISH)
    assert '<html lang="en">' in page_in(client)

    elsewhere = client.post(SWITCH_URL, {"language": "es", "next": "https://evil.example/contact/"})
    assert elsewhere.status_code == 302 and elsewhere["Location"] == "/"


def test_errors_are_in_spanish_beside_their_fields(client: Client) -> None:
    form = valid_form(phone="12345", privacy_acknowledged=None, message="x" * 2001, preferred_language="fr")

    response = client.post(URL, form, **SPANISH)

    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: Comuníquese con un médico</title>" in html
    assert '<h2 id="error-summary-title">Hay un problema</h2>' in html
    for anchor, message in (
        ("id_phone", "Escriba un número de teléfono válido, con el código de área."),
        ("id_preferred_language_0", "Idioma para mensajes y llamadas: elija una de las opciones que se muestran."),
        ("id_message", "«Su mensaje» puede tener como máximo 2000 caracteres."),
        ("id_privacy_acknowledged", "Confirme que ha leído el aviso de privacidad."),
    ):
        assert f'<li><a href="#{anchor}">{escape(message)}</a></li>' in html, message
    assert (
        '<p class="error-message" id="preferred_language-error"><span class="visually-hidden">Error:</span> '
        f"{escape('Idioma para mensajes y llamadas: elija una de las opciones que se muestran.')}</p>"
    ) in html
    page = FormControls(html)
    assert page.control("preferred_language", "es")["aria-invalid"] == "true"
    assert page.control("phone")["aria-describedby"] == "phone-hint phone-error"
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "Escriba su nombre."),
        ({"last_name": None}, "Escriba sus apellidos."),
        ({"phone": ""}, "Escriba un número de teléfono, con el código de área."),
        ({"is_adult": None}, "Confirme que tiene 18 años o más."),
        ({"first_name": "Da\x00na"}, "«Nombre» contiene caracteres que no son texto válido."),
        ({"reasons": ["boredom"]}, "En qué le gustaría recibir ayuda: elija una de las opciones que se muestran."),
        (
            {"preferred_contact_method": "email", "email": ""},
            "Indique una dirección de correo electrónico, ya que prefiere que le contactemos por correo electrónico.",
        ),
        (
            {"sms_consent": None},
            "Acepte recibir mensajes de texto, ya que prefiere que le contactemos por mensaje de texto.",
        ),
    ],
)
def test_each_message_is_in_spanish_beside_its_field_and_in_the_summary(
    client: Client, overrides: dict[str, Any], message: str
) -> None:
    response = client.post(URL, valid_form(**overrides), **SPANISH)

    assert response.status_code == 400
    assert response.content.decode().count(escape(message)) == 2  # beside the field, and in the summary
    assert Inquiry.objects.count() == 0


def test_a_spanish_submission_is_stored_with_spanish_and_consent_to_the_spanish_wordings(client: Client) -> None:
    response = client.post(URL, valid_form(preferred_language="es"), **SPANISH)

    assert response.status_code == 303
    inquiry = Inquiry.objects.get()
    assert inquiry.preferred_language == "es"
    assert (inquiry.sms_consent_version, inquiry.sms_consent_source) == ("2026-11-v1-es", "web_form")
    assert InquirySubmission.objects.get().sms_consent_version == "2026-11-v1-es"

    thanks = client.get(response["Location"], **SPANISH)

    html = thanks.content.decode()
    assert thanks.status_code == 200
    assert "<title>Mensaje recibido</title>" in html and "<h1>Mensaje recibido</h1>" in html
    assert "<p>Su número de referencia es</p>" in html
    assert "<h2>Qué pasará ahora</h2>" in html
    assert (
        "<p>Gracias. Un miembro de nuestro equipo de atención se comunicará con usted por mensaje de texto en un "
        "plazo de un día hábil para hablar de sus preguntas y de los próximos pasos. Guarde su número de "
        "referencia. También recibirá un mensaje de texto que confirma que recibimos su mensaje; responda STOP "
        "en cualquier momento para dejar de recibir mensajes. Si está en crisis, llame o envíe un mensaje de "
        "texto al 988, o llame al 911 si es una emergencia.</p>"
    ) in html
    for personal in ("Dana", "Whitlock", "555", "dana@example.com"):
        assert personal not in html


def test_email_consent_given_on_the_spanish_page_records_the_spanish_wording(client: Client) -> None:
    response = client.post(URL, valid_form(preferred_contact_method="email", sms_consent=None), **SPANISH)

    assert response.status_code == 303
    inquiry = Inquiry.objects.get()
    assert inquiry.email_consent_version == "2026-12-email-v1-es"
    assert (inquiry.sms_consent_at, inquiry.sms_consent_version) == (None, "")
    assert InquirySubmission.objects.get().email_consent_version == "2026-12-email-v1-es"


def test_the_language_chosen_is_stored_whatever_the_page_language(client: Client) -> None:
    # Read in Spanish, texts wanted in English: consent is to the Spanish wording that was read.
    client.post(URL, valid_form(preferred_language="en"), **SPANISH)
    # Read in English, texts wanted in Spanish: consent is to the English wording.
    client.post(URL, valid_form(phone="(617) 555-0199", email="ana@example.com", preferred_language="es"))

    stored = {i.phone: (i.preferred_language, i.sms_consent_version) for i in Inquiry.objects.all()}
    assert stored == {"+16175550142": ("en", "2026-11-v1-es"), "+16175550199": ("es", "2026-11-v1")}


def test_a_form_sent_without_the_language_question_takes_the_page_language(client: Client) -> None:
    # A page cached from before the question existed still posts the rest of the form.
    client.post(URL, valid_form(), **SPANISH)

    assert Inquiry.objects.get().preferred_language == "es"


def test_the_thanks_page_follows_a_language_switch_and_comes_back_to_itself(client: Client) -> None:
    location = client.post(URL, valid_form())["Location"]
    english = client.get(location).content.decode()
    assert "<h1>Message received</h1>" in english
    assert FormControls(english).control("next")["value"] == location

    switched = client.post(SWITCH_URL, {"language": "es", "next": location})

    assert switched.status_code == 302 and switched["Location"] == location
    spanish = client.get(location).content.decode()
    assert '<html lang="es">' in spanish and "<h1>Mensaje recibido</h1>" in spanish
    assert Inquiry.objects.get().reference in spanish


def test_a_broken_thanks_link_is_explained_in_spanish(client: Client) -> None:
    response = client.get("/contact/thanks/", {"r": "garbage"}, **SPANISH)

    html = response.content.decode()
    assert response.status_code == 400
    assert "<h1>No podemos mostrar esta confirmación</h1>" in html
    assert '<a href="/contact/">Ir al formulario de contacto</a>' in html


def test_the_throttle_notice_is_in_spanish(client: Client) -> None:
    ClinicFactory(phone="+16175550100")
    for n in range(5):
        form = valid_form(phone=f"617-555-01{n:02d}", email=f"person{n}@example.com")
        assert client.post(URL, form, REMOTE_ADDR="203.0.113.9", **SPANISH).status_code == 303

    refused = client.post(URL, valid_form(phone="617-555-0177"), REMOTE_ADDR="203.0.113.9", **SPANISH)

    html = refused.content.decode()
    assert refused.status_code == 429
    assert "<h2>Por favor, llámenos</h2>" in html
    assert (
        'Llame a la clínica al <a href="tel:+16175550100">(617) 555-0100</a> o vuelva a intentarlo más tarde.' in html
    )
    assert "Sus respuestas siguen abajo." in html


def test_a_broken_language_cookie_is_ignored(client: Client) -> None:
    client.cookies["django_language"] = '"><script>alert(1)</script>'

    html = page_in(client, **SPANISH)

    assert '<html lang="es">' in html and "<script>" not in html


def test_with_one_language_there_is_nothing_to_choose(client: Client, settings: Settings) -> None:
    settings.LANGUAGES = [("en", "English")]

    html = page_in(client, **SPANISH)

    assert '<html lang="en">' in html
    assert "language-switch" not in html and 'name="preferred_language"' not in html
    assert client.post(URL, valid_form(), **SPANISH).status_code == 303
    inquiry = Inquiry.objects.get()
    assert (inquiry.preferred_language, inquiry.sms_consent_version) == ("en", "2026-11-v1")
