"""Drive Debian's Chromium with Playwright's sync API against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, Error, Page, sync_playwright

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
