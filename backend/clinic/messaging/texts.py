"""Texts as they go out: the clinic's own wording if an admin set one, else the default (wording.py),
with its placeholders filled."""

from __future__ import annotations

from .models import MessageTemplate
from .wording import TEXTS, StrictFormatter


def text_wording(name: str) -> str:
    """The wording in use: the clinic's own (edited in the admin) or the default (wording.TEXTS)."""
    custom = MessageTemplate.objects.filter(name=name).values_list("body", flat=True).first()
    return custom if custom else TEXTS[name]


def text_render(name: str, **values: object) -> str:
    """Fill the named text's placeholders; a missing value is an error, never a blank."""
    return StrictFormatter().format(text_wording(name), **values)
