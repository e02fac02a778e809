"""The /contact/ page as a test reads it: a valid form to post, and the controls of a page."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


def valid_form(**overrides: Any) -> dict[str, Any]:
    """A complete, valid form (Dana Whitlock, texts welcome); an override of None leaves the field out."""
    form: dict[str, Any] = {
        "first_name": "Dana",
        "last_name": "Whitlock",
        "phone": "(617) 555-0142",
        "email": "dana@example.com",
        "preferred_contact_method": "sms",
        "best_time_to_reach": "weekday mornings",
        "reasons": ["depression", "ptsd"],
        "prior_treatments": "Two SSRIs, CBT",
        "message": "I would like to learn whether I am a candidate.",
        "sms_consent": "on",
        "privacy_acknowledged": "on",
        "is_adult": "on",
        "website": "",
    }
    form.update(overrides)
    return {name: value for name, value in form.items() if value is not None}


class FormControls(HTMLParser):
    """Collect the form controls, labels and links of a page, by their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()
        self.links: list[str] = []
        self.textareas: dict[str, str] = {}
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "textarea", "select"):
            self.controls.append({"tag": tag, **attributes})
        if tag == "textarea":
            self._textarea = attributes.get("name")
            self.textareas[self._textarea or ""] = ""
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(str(attributes["for"]))
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.textareas[self._textarea] += data

    def control(self, name: str, value: str | None = None) -> dict[str, str | None]:
        found = [c for c in self.controls if c.get("name") == name and (value is None or c.get("value") == value)]
        assert len(found) == 1, f"expected one control named {name!r} (value {value!r}), found {found}"
        return found[0]
