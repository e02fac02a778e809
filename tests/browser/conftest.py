"""Drive Debian's Chromium with Playwright's sync API against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, Error, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from clinic.intake.api.public import REASON_CHOICES
from clinic.intake.models import Reason
from tests.support.browser import Screenshots

ARTIFACTS_DIR = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail("Chromium is not installed; the browser tests need it: apt-get install chromium", pytrace=False)
    return path


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Start Chromium for one test, so Playwright's event loop runs only while a browser test does."""
    executable = chromium_path()
    # Playwright's sync API keeps an event loop running in the test thread, and Django refuses ORM
    # calls from a thread with a running loop unless told this is deliberate.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    try:
        try:
            launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Error as exc:
            pytest.fail(f"Chromium at {executable} did not start ({exc}); try: apt-get install chromium", pytrace=False)
        yield launched
        launched.close()
    finally:
        # While the loop runs Django keeps separate connections for this thread; close them with it.
        connections.close_all()
        playwright.stop()


@pytest.fixture
def new_page(browser: Browser) -> Callable[..., Page]:
    """Open a page in a fresh browser context (own cookies, own viewport); it closes with the browser."""

    def open_page(**context_options: Any) -> Page:
        context = browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        return context.new_page()

    return open_page


@pytest.fixture
def artifacts_dir() -> Path:
    """Where screenshots go (git-ignored), to look at what the browser saw."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def screenshots(artifacts_dir: Path, request: pytest.FixtureRequest) -> Screenshots:
    """A folder of numbered screenshots for this test module, e.g. tests/artifacts/whole_story/ for test_whole_story."""
    return Screenshots(artifacts_dir / request.module.__name__.rpartition(".")[2].removeprefix("test_"))


@pytest.fixture
def admin_sign_in(live_server: LiveServer) -> Callable[[Page, str, str], None]:
    """Sign in to /admin/ on a page with a username and password, as staff do."""

    def sign_in(page: Page, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#user-tools")).to_contain_text(username)

    return sign_in


@pytest.fixture
def contact_form_reasons(db: None) -> None:
    """Put back the reasons a migration seeds: transactional tests run earlier may have flushed them."""
    for position, (code, label) in enumerate(REASON_CHOICES):
        Reason.objects.update_or_create(code=code, defaults={"label": label, "position": position})
