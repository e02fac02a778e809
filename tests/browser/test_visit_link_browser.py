"""A patient opens the link from their reminder on a phone, without signing in, and moves the visit to another
free time; the time they first pick is taken a moment before they send it, and the page offers fresh times."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from clinic.scheduling.models import Appointment
from tests.factories import PatientFactory
from tests.support.browser import Screenshots
from tests.support.clock import local
from tests.visitlinks.factories import NOW, VISIT_AT, link_to, place_build, visit_book

# The live server reads and writes in its own thread, so the test needs committed rows.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def _monday_noon() -> Iterator[None]:
    # The clock moves for the whole process, the live server's thread included.
    with time_machine.travel(NOW, tick=True):
        yield


def test_a_patient_picks_another_time_on_a_phone_and_a_time_just_taken_offers_fresh_ones(
    live_server: LiveServer, new_page: Callable[..., Page], tmp_path: Path
) -> None:
    place = place_build()
    visit = visit_book(place, first_name="Robin")
    path = link_to(visit)
    shots = Screenshots(tmp_path / "visit_link")
    page = new_page(**PHONE)

    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name="Hi Robin, your visit", level=1)).to_be_visible()
    expect(page.locator(".visit__when")).to_have_text("Thursday, December 10, 2:00 PM")
    expect(page.get_by_text("Dr. Ada Stone")).to_be_visible()
    shots.take(page, "visit")

    page.get_by_role("link", name="Pick another time").tap()
    expect(page.get_by_role("group", name="Monday, December 7")).to_be_visible()  # the first day is open
    page.locator("summary", has_text="Friday, December 11").tap()
    friday = page.get_by_role("group", name="Friday, December 11")
    expect(friday).to_be_visible()
    shots.take(page, "times")
    friday.get_by_role("radio", name="10:00 AM ET").check()

    # Another patient of the same provider books Friday 10:00 while this page is open.
    visit_book(place, local(2026, 12, 11, 10), patient=PatientFactory(first_name="Sam"))
    page.get_by_role("button", name="Move my visit to this time").tap()
    expect(page.get_by_role("alert")).to_contain_text("Sorry, that time was just taken.")
    page.locator("summary", has_text="Friday, December 11").tap()
    friday = page.get_by_role("group", name="Friday, December 11")
    expect(friday.get_by_role("radio", name="10:00 AM ET")).to_have_count(0)
    shots.take(page, "just_taken")

    friday.get_by_role("radio", name="1:00 PM ET").check()
    page.get_by_role("button", name="Move my visit to this time").tap()
    expect(page.get_by_role("status")).to_contain_text("Done: your visit is now on Friday, December 11 at 1:00 PM.")
    expect(page.locator(".visit__when")).to_have_text("Friday, December 11, 1:00 PM")
    shots.take(page, "moved")

    visit.refresh_from_db()
    assert visit.starts_at == local(2026, 12, 11, 13) and visit.starts_at != VISIT_AT
    assert visit.status == Appointment.Status.SCHEDULED and visit.provider == place.provider
    assert [shot.name for shot in shots.taken] == ["01_visit.png", "02_times.png", "03_just_taken.png", "04_moved.png"]
    assert all(shot.stat().st_size > 10_000 for shot in shots.taken)
    assert datetime.timedelta(0) < visit.starts_at - NOW
