"""Reading what people type: accents and curly quotes folded, one way for every reader of free text
(keywords, replies, check-in answers, opt-out phrasings, the language guess, the wording checks)."""

from __future__ import annotations

import unicodedata


def accents_fold(text: str, *, compatibility: bool = False) -> str:
    """The text without accents: "Sí" -> "Si", "días" -> "dias". With `compatibility`, full-width letters
    and ligatures are folded too ("ﬁ" -> "fi"); without it, "½" stays "½"."""
    decomposed = unicodedata.normalize("NFKD" if compatibility else "NFD", text)
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def quotes_straighten(text: str) -> str:
    """Curly apostrophes as phones type them (U+2019, U+2018) made straight ('), so "don't" reads one way."""
    return text.replace("\u2019", "'").replace("\u2018", "'")
