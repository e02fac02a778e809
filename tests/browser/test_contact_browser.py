from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from clinic.intake.api.public import REASON_CHOICES
from clinic.intake.models import Inquiry, Reason

# The live server reads and writes in its own thread, so the test needs committed rows.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_SIZE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP_SIZE = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def reasons() -> None:
    """Put back the reasons a migration seeds: transactional tests run earlier may have flushed them."""
    for position, (code, label) in enumerate(REASON_CHOICES):
        Reason.objects.update_or_create(code=code, defaults={"label": label, "position": position})


def test_invalid_answers_are_shown_beside_their_fields_on_a_phone(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts_dir: Path
) -> None:
    page = new_page(**PHONE_SIZE)
    page.goto(f"{live_server.url}/contact/")
    expect(page.get_by_role("heading", name="Contact a doctor")).to_be_visible()
    page.screenshot(path=artifacts_dir / "contact-1-form-phone.png", full_page=True)

    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Whitlock")
    page.get_by_label("Phone number").fill("12345")
    page.get_by_role("button", name="Send message").click()

    expect(page).to_have_title("Error: Contact a doctor")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    phone = page.get_by_label("Phone number")
    expect(phone).to_have_value("12345")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile("Enter a valid phone number, including the area code"))
    expect(page.get_by_label("I have read the clinic's privacy notice.")).to_have_accessible_description(
        re.compile("Please confirm you have read the privacy notice")
    )
    expect(page.get_by_label("I am 18 or older.")).to_have_accessible_description(
        re.compile("Please confirm you are 18 or older")
    )
    expect(page.get_by_label("First name")).to_have_value("Dana")
    page.screenshot(path=artifacts_dir / "contact-2-errors-phone.png", full_page=True)

    summary.get_by_role("link", name=re.compile("valid phone number")).click()
    expect(page).to_have_url(re.compile("#id_phone$"))
    assert Inquiry.objects.count() == 0


def test_a_valid_inquiry_is_stored_and_its_reference_shown(
    live_server: LiveServer, new_page: Callable[..., Page], artifacts_dir: Path
) -> None:
    page = new_page(**DESKTOP_SIZE)
    page.goto(f"{live_server.url}/contact/")

    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Whitlock")
    page.get_by_label("Phone number").fill("(617) 555-0142")
    page.get_by_label("Email address (optional)").fill("dana@example.com")
    page.get_by_role("radio", name="Text message").check()
    page.get_by_label("Best time to reach you (optional)").fill("Weekday mornings")
    page.get_by_label("Depression").check()
    page.get_by_label("PTSD").check()
    page.get_by_label("Your message (optional)").fill("Is this treatment right for me?\nI have a few questions.")
    page.get_by_label("I agree to receive text messages").check()
    page.get_by_label("I have read the clinic's privacy notice.").check()
    page.get_by_label("I am 18 or older.").check()
    page.screenshot(path=artifacts_dir / "contact-3-filled.png", full_page=True)
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("heading", name="Message received")).to_be_visible()
    reference = page.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"INQ-[0-9A-Z]{8}", reference)
    expect(page.locator("main")).to_contain_text("reach out by text")
    expect(page.locator("main")).not_to_contain_text("Dana")
    page.screenshot(path=artifacts_dir / "contact-4-thanks.png", full_page=True)

    inquiry = Inquiry.objects.get()
    assert inquiry.reference == reference
    assert inquiry.phone == "+16175550142"
    assert inquiry.source == Inquiry.Source.WEB_FORM
    assert inquiry.message == "Is this treatment right for me?\nI have a few questions."
    assert sorted(inquiry.reasons.values_list("code", flat=True)) == ["depression", "ptsd"]
    assert inquiry.sms_consent is True
