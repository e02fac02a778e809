"""The contact page in Spanish, in headless Chromium on a phone: by the browser's language, or by the switch;
with two locations, the person chooses one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from clinic.intake.models import Inquiry
from tests.factories import ClinicFactory

# The live server reads and writes in its own thread, so the test needs committed rows.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contact_form_reasons"),
]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def screenshot(page: Page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000, f"{path.name} is too small to be a picture of the page"
    return path


def test_a_spanish_phone_gets_the_spanish_page_and_its_inquiry_is_stored_in_spanish(
    live_server: LiveServer, new_page: Callable[..., Page], tmp_path: Path
) -> None:
    ClinicFactory(name="Denver", postcode="80202", address="1600 Market St\nDenver, CO 80202")
    phoenix = ClinicFactory(name="Phoenix", postcode="85004", address="1 N Central Ave\nPhoenix, AZ 85004")
    page = new_page(**PHONE, locale="es-MX")  # Chromium then sends Accept-Language: es-MX
    page.goto(f"{live_server.url}/contact/")

    expect(page).to_have_title("Comuníquese con un médico")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Comuníquese con un médico", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Idioma").get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("radio", name="Español")).to_be_checked()
    screenshot(page, tmp_path, "1-formulario")

    page.get_by_label("Nombre", exact=True).fill("Lucía")
    page.get_by_label("Apellidos").fill("Hernández")
    page.get_by_label("Número de teléfono").fill("(617) 555-0142")
    page.get_by_label("Correo electrónico (opcional)").fill("lucia@example.com")
    page.get_by_role("radio", name="Mensaje de texto", exact=True).check()
    page.get_by_label("Ansiedad").check()
    page.get_by_label("Dolor crónico").check()
    locations = page.get_by_role("group", name="¿Qué sede le gustaría visitar?")
    expect(locations.get_by_role("radio", name="No lo sé")).to_be_checked()
    phoenix_choice = locations.get_by_role("radio", name=re.compile(r"^Phoenix"))
    expect(phoenix_choice).to_have_accessible_name("Phoenix 1 N Central Ave, Phoenix, AZ 85004")
    locations.get_by_text("1 N Central Ave, Phoenix, AZ 85004").tap()  # the address is part of the tap target
    expect(phoenix_choice).to_be_checked()
    # A Denver ZIP code, but the location chosen wins.
    page.get_by_label("Código postal (opcional)").fill("80202")
    page.get_by_label("Su mensaje (opcional)").fill("¿Este tratamiento es adecuado para mí?")
    page.get_by_label("Acepto recibir mensajes de texto de la clínica").check()
    page.get_by_label("He leído el aviso de privacidad de la clínica.").check()
    page.get_by_label("Tengo 18 años o más.").check()
    screenshot(page, tmp_path, "2-completo")
    page.get_by_role("button", name="Enviar mensaje").click()

    expect(page.get_by_role("heading", name="Mensaje recibido")).to_be_visible()
    expect(page.locator("main")).to_contain_text("se comunicará con usted por mensaje de texto")
    expect(page.locator("main")).not_to_contain_text("Lucía")
    expect(page.locator("main")).not_to_contain_text("Phoenix")
    reference = page.locator(".reference").inner_text().strip()
    screenshot(page, tmp_path, "3-recibido")

    inquiry = Inquiry.objects.get()
    assert inquiry.reference == reference
    assert inquiry.preferred_language == "es"
    assert (inquiry.first_name, inquiry.last_name) == ("Lucía", "Hernández")
    assert inquiry.message == "¿Este tratamiento es adecuado para mí?"
    assert sorted(inquiry.reasons.values_list("code", flat=True)) == ["anxiety", "chronic_pain"]
    assert (inquiry.sms_consent, inquiry.sms_consent_version) == (True, "2026-11-v1-es")
    assert inquiry.clinic == phoenix


def test_the_switch_turns_the_page_spanish_without_javascript_and_errors_stay_linked_to_fields(
    live_server: LiveServer, new_page: Callable[..., Page], tmp_path: Path
) -> None:
    page = new_page(**PHONE, locale="en-US", java_script_enabled=False)
    page.goto(f"{live_server.url}/contact/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("radio", name="English")).to_be_checked()

    page.get_by_role("navigation", name="Language").get_by_role("button", name="Español").click()

    expect(page).to_have_url(f"{live_server.url}/contact/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Comuníquese con un médico", level=1)).to_be_visible()
    expect(page.get_by_role("radio", name="Español")).to_be_checked()
    screenshot(page, tmp_path, "1-cambiado")

    page.get_by_label("Nombre", exact=True).fill("Lucía")
    page.get_by_label("Apellidos").fill("Hernández")
    page.get_by_label("Número de teléfono").fill("12345")
    page.get_by_role("radio", name="English").check()  # the person may still want texts in English
    page.get_by_role("button", name="Enviar mensaje").click()

    expect(page).to_have_title("Error: Comuníquese con un médico")
    expect(page.get_by_role("alert")).to_contain_text("Hay un problema")
    phone = page.get_by_label("Número de teléfono")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(
        re.compile("Escriba un número de teléfono válido, con el código de área")
    )
    expect(page.get_by_label("Tengo 18 años o más.")).to_have_accessible_description(
        re.compile("Confirme que tiene 18 años o más")
    )
    expect(page.get_by_role("radio", name="English")).to_be_checked()  # the answers are kept
    screenshot(page, tmp_path, "2-errores")
    assert Inquiry.objects.count() == 0

    page.get_by_role("navigation", name="Idioma").get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Contact a doctor", level=1)).to_be_visible()
