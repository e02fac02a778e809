"""Texts as they go out: in the recipient's language, the clinic's own wording if an admin set one for
that language, else the shipped wording (wording.py, translated), with its placeholders filled."""

from __future__ import annotations

from django.utils import translation

from clinic.core.languages import language_supported

from .models import MessageTemplate
from .wording import StrictFormatter, text_default


def text_wording(name: str, language: str) -> str:
    """The wording in use for `language`: the clinic's own (edited in the admin) or the shipped one."""
    language = language_supported(language)
    custom = MessageTemplate.objects.filter(name=name, language=language).values_list("body", flat=True).first()
    return custom if custom else text_default(name, language)


def text_render(name: str, *, language: str, **values: object) -> str:
    """The named text in `language` with its placeholders filled; a missing value is an error, never a blank.

    Values are formatted in that language too (a date passed as text is the caller's to write).
    """
    language = language_supported(language)
    with translation.override(language):
        return StrictFormatter().format(text_wording(name, language), **values)
