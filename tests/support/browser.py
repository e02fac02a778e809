"""What the browser tests keep of a story: numbered screenshots."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Page


class Screenshots:
    """Full-page screenshots of one story, numbered in the order taken: 01_contact_form.png, 02_..."""

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)  # a shorter run must not leave an older run's pictures
        folder.mkdir(parents=True)
        self.folder = folder
        self.taken: list[Path] = []

    def take(self, page: Page, name: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}_{name}.png"
        page.screenshot(path=path, full_page=True)
        self.taken.append(path)
        return path
