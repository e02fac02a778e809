"""The story in headless Chromium on a phone: contact form, times on the thanks page, a time taken meanwhile, booked."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from clinic.accounts.actor import Actor
from clinic.intake.api.public import REASON_CHOICES
from clinic.intake.models import Inquiry, Reason
from clinic.selfbooking.models import SelfBooking
from clinic.selfbooking.pages import slot_parse
from clinic.selfbooking.services import selfbooking_book
from tests.selfbooking.world import submit, world_build
from tests.support.browser import Screenshots

# The live server reads and writes in its own thread, so the test needs committed rows.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_SIZE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "selfbooking"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail("Chromium is not installed; the browser tests need it: apt-get install chromium", pytrace=False)
    # Playwright's sync API runs an event loop in this thread; Django's ORM is called from it on purpose.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_a_visitor_books_a_first_call_from_the_thanks_page_on_a_phone(
    live_server: LiveServer, browser: Browser
) -> None:
    for position, (code, label) in enumerate(REASON_CHOICES):  # transactional tests may have flushed them
        Reason.objects.update_or_create(code=code, defaults={"label": label, "position": position})
    world_build()
    shots = Screenshots(ARTIFACTS)
    page: Page = browser.new_context(**PHONE_SIZE).new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/contact/")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Whitlock")
    page.get_by_label("Phone number").fill("(617) 555-0142")
    page.get_by_role("radio", name="Text message").check()
    page.get_by_label("Depression").check()
    page.get_by_label("I agree to receive text messages").check()
    page.get_by_label("I have read the clinic's privacy notice.").check()
    page.get_by_label("I am 18 or older.").check()
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("heading", name="Message received")).to_be_visible()
    choice = page.locator("section.selfbooking")
    expect(choice.get_by_role("heading", name="Choose a time for your first call")).to_be_visible()
    expect(choice).to_contain_text("the time zone of Desert Mind Clinic")
    expect(choice.locator("fieldset")).to_have_count(2)  # three times on each of two days
    times = choice.get_by_role("button")
    expect(times).to_have_count(6)
    first = times.nth(0)
    first_label = first.inner_text()
    box = first.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 390  # a thumb-sized target
    shots.take(page, "thanks_page_offers_times")

    # Someone else takes the first time while Dana reads the page.
    starts_at = slot_parse(first.get_attribute("value") or "")
    assert starts_at is not None
    _, other_token = submit(first_name="Lee", phone="+16175550199", email="lee@example.com")
    selfbooking_book(token=other_token, starts_at=starts_at, actor=Actor(user=None))

    first.click()
    expect(page.get_by_role("alert")).to_contain_text("Sorry, that time was just taken. Here are the next free times.")
    expect(page.get_by_role("button", name=first_label, exact=True)).to_have_count(0)
    shots.take(page, "just_taken_next_times")

    next_free = page.locator("button.selfbooking__time").first
    next_label = next_free.inner_text()
    next_free.click()
    expect(page.get_by_role("heading", name="We have your requested time")).to_be_visible()
    expect(page.locator(".selfbooking__when")).to_contain_text(next_label)
    shots.take(page, "requested_time_shown")

    booking = SelfBooking.objects.select_related("inquiry", "appointment").get(inquiry__first_name="Dana")
    assert booking.state == SelfBooking.State.REQUESTED and booking.inquiry.status == Inquiry.Status.NEW
    assert "Dana" not in page.url and str(booking.inquiry.pk) not in page.url.rsplit("/b/", 1)[1]
    page.reload()  # reloading books nothing more
    expect(page.get_by_role("heading", name="We have your requested time")).to_be_visible()
    assert SelfBooking.objects.count() == 2
    assert [path.name for path in shots.taken] == [
        "01_thanks_page_offers_times.png",
        "02_just_taken_next_times.png",
        "03_requested_time_shown.png",
    ]
