"""The questionnaire page filled in on a phone-sized headless Chromium, in Spanish, one question per screen.

Measured as a patient meets it: taps to finish, time, no horizontal scroll on any screen, answer buttons
at least 44 px tall, each question and its answers in sight without scrolling. Screenshots go to the
test's tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from clinic.accounts.actor import Actor
from clinic.checkins.models import Alert
from clinic.measures.models import QuestionnaireAssignment
from clinic.measures.services import assignment_send_now
from tests.factories import ClinicFactory, PatientFactory
from tests.measures.booking import token_of

# The live server reads and writes in its own thread, so the test needs committed rows.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        pytest.fail("Chromium is not installed; apt-get install chromium", pytrace=False)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in the test thread
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
    finally:
        playwright.stop()


def layout(page: Page) -> dict[str, float]:
    return dict(
        page.evaluate(
            """() => ({
                overflow: document.documentElement.scrollWidth - window.innerWidth,
                height: document.documentElement.scrollHeight,
                screen: window.innerHeight,
                smallestButton: Math.min(...[...document.querySelectorAll('button.q-option, button.button')]
                    .map(b => b.getBoundingClientRect().height)),
                answersBottom: Math.max(0, ...[...document.querySelectorAll('button.q-option')]
                    .map(b => b.getBoundingClientRect().bottom + window.scrollY)),
                question: (document.querySelector('fieldset.q-item') || {getBoundingClientRect: () => ({height: 0})})
                    .getBoundingClientRect().height,
            })"""
        )
    )


def test_a_spanish_patient_fills_in_the_phq9_on_a_phone(
    live_server: LiveServer, browser: Browser, tmp_path: Path, settings: object
) -> None:
    settings.PUBLIC_BASE_URL = live_server.url  # type: ignore[attr-defined]
    ClinicFactory()
    patient = PatientFactory(first_name="Lucía", language="es", sms_consent_at=timezone.now())
    assignment = assignment_send_now(actor=Actor(user=None), patient=patient, instrument="phq9")
    link = f"{live_server.url}/q/{token_of(assignment)}"
    page = browser.new_context(**PHONE).new_page()
    page.set_default_timeout(10_000)
    taps, screens = 0, []

    started = time.monotonic()
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_text("Pregunta 1 de 9", exact=True)).to_be_visible()
    expect(page.get_by_text("Poco interés o placer en hacer cosas")).to_be_visible()
    page.screenshot(path=tmp_path / "01_pregunta_1.png", full_page=True)
    for position in range(1, 10):
        expect(page.get_by_text(f"Pregunta {position} de 9", exact=True)).to_be_visible()
        screens.append(layout(page))
        answer = "Varios días"
        page.get_by_role("button", name=answer).tap()
        taps += 1
        if position == 3:
            # Back: the answer given is shown, and can be kept with one tap.
            page.get_by_role("link", name="Atrás").tap()
            expect(page.get_by_text("Pregunta 3 de 9", exact=True)).to_be_visible()
            expect(page.get_by_role("button", name="Varios días")).to_have_attribute("aria-pressed", "true")
            page.screenshot(path=tmp_path / "02_atras_pregunta_3.png", full_page=True)
            page.get_by_role("button", name="Varios días").tap()
    # Item 9 above 0: the page shows 988 and 911 at once, and the care team was alerted when it was saved.
    crisis = page.get_by_role("alert")
    expect(crisis.get_by_role("link", name="Llame al 988")).to_have_attribute("href", "tel:988")
    expect(crisis.get_by_role("link", name="Envíe un mensaje al 988")).to_have_attribute("href", "sms:988")
    expect(crisis.get_by_role("link", name="Llame al 911")).to_have_attribute("href", "tel:911")
    assert Alert.objects.filter(key=f"questionnaire:{assignment.pk}").count() == 1
    expect(page.get_by_role("heading", name="Revise sus respuestas")).to_be_visible()
    screens.append(layout(page))
    page.screenshot(path=tmp_path / "03_revision_con_988.png", full_page=True)
    page.get_by_role("button", name="Enviar mis respuestas").tap()
    taps += 1
    expect(page.get_by_role("heading", name="Gracias")).to_be_visible()
    elapsed = time.monotonic() - started
    screens.append(layout(page))
    page.screenshot(path=tmp_path / "04_gracias.png", full_page=True)

    assignment.refresh_from_db()
    assert (assignment.status, assignment.total, assignment.band) == (
        QuestionnaireAssignment.Status.COMPLETED,
        9,
        "mild",
    )

    # A second phone opening the same link afterwards: politely refused, with the clinic's number.
    other = browser.new_context(**PHONE, locale="es-MX").new_page()  # a Spanish phone: the page follows it
    response = other.goto(link)
    assert response is not None and response.status == 404
    expect(other.get_by_role("heading", name="Este enlace no funciona")).to_be_visible()
    expect(other.get_by_role("link", name="+16175550100")).to_have_attribute("href", "tel:+16175550100")
    other.screenshot(path=tmp_path / "05_enlace_usado.png", full_page=True)

    measured = {
        "taps": taps,
        "seconds": round(elapsed, 1),
        "widest_overflow_px": max(s["overflow"] for s in screens),
        "smallest_button_px": min(s["smallestButton"] for s in screens),
        # Every answer of every question in sight without scrolling (the page's note under them may not be).
        "questions_needing_a_scroll": sum(1 for s in screens[:9] if s["answersBottom"] > s["screen"]),
        "lowest_answer_px": max(s["answersBottom"] for s in screens[:9]),
        "all_questions_stacked_px": sum(s["question"] for s in screens[:9]),
        "phone_height_px": screens[0]["screen"],
    }
    (tmp_path / "measurements.json").write_text(json.dumps(measured, indent=2))
    print("questionnaire on a phone:", measured)
    assert taps == 10  # one tap per question, one to send
    assert measured["widest_overflow_px"] <= 0  # no horizontal scroll on any screen
    assert measured["smallest_button_px"] >= 44  # tap targets (WCAG 2.5.5)
    assert measured["questions_needing_a_scroll"] == 0  # each question and its answers fit one screen
    assert len(list(tmp_path.glob("*.png"))) == 5
