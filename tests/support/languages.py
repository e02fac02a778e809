"""Texts in a language, told apart in tests whether or not the shipped translation exists yet."""

from __future__ import annotations

from clinic.messaging.models import MessageTemplate
from clinic.messaging.wording import text_default

MARK = "[es] "


def spanish_wordings(*names: str) -> None:
    """Give each named text a Spanish wording of the clinic's own that starts with MARK (the English wording
    after it, so its placeholders stay valid): an answer rendered in Spanish starts with MARK, an English one
    never does. Checked as the admin checks it before it is stored."""
    for name in names:
        wording = MessageTemplate(name=name, language="es", body=MARK + text_default(name, "en"))
        wording.full_clean()
        wording.save()
