"""A clinician reads patients' texts in the admin, in a real browser: each as written, its language beside it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from clinic.accounts.roles import CLINICIAN
from clinic.messaging.models import InboundMessage
from tests.factories import ClinicFactory, PatientFactory, UserFactory
from tests.support.browser import Screenshots
from tests.support.phones import PHONE
from tests.support.sandbox import patient_texts

# The live server reads in its own thread, so the test needs committed rows.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SPANISH = "Hola, ¿a qué hora es mi cita del jueves? Gracias"
ENGLISH = "What time is my visit on Thursday?"


def test_the_inbound_list_and_page_show_each_text_as_written_with_its_language(
    live_server: LiveServer,
    new_page: Callable[..., Page],
    admin_sign_in: Callable[[Page, str, str], None],
    screenshots: Screenshots,
) -> None:
    ClinicFactory()
    PatientFactory(phone=PHONE, first_name="Lucía")
    for body in (SPANISH, ENGLISH, "👍"):
        patient_texts(Client(), body)
    UserFactory(username="doctora", role=CLINICIAN)

    page = new_page(viewport={"width": 1400, "height": 900})
    admin_sign_in(page, "doctora", "correct horse battery staple")
    page.goto(f"{live_server.url}/admin/messaging/inboundmessage/")

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    spanish_row = rows.filter(has_text="a qué hora es mi cita")
    expect(spanish_row.locator("td.field-written_in")).to_have_text("Spanish (es)")
    expect(spanish_row.locator("td.field-short_body")).to_have_text(SPANISH)
    expect(rows.filter(has_text=ENGLISH).locator("td.field-written_in")).to_have_text("English (en)")
    expect(rows.filter(has_text="👍").locator("td.field-written_in")).to_have_text("not recognised")
    screenshots.take(page, "inbound_list")

    page.get_by_role("link", name="Spanish").click()  # the Language filter
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.field-short_body")).to_have_text(SPANISH)

    page.goto(f"{live_server.url}/admin/messaging/inboundmessage/{InboundMessage.objects.get(body=SPANISH).pk}/change/")
    expect(page.locator(".field-written_in")).to_contain_text("Spanish (es)")
    expect(page.locator(".field-visible_body")).to_contain_text(SPANISH)
    screenshots.take(page, "inbound_page")
