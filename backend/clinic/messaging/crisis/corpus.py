"""The labelled corpus of patient texts the detector is built and measured on.

`corpus/messages.csv` holds one text per row: `text`, `label` (`crisis` or `not`), `category` and `lang`.
Every row is written for this project, in the way patients text (lower case, misspelt, a score in front,
logistics mixed in). A row belongs to the held-out part when the first byte of the SHA-256 of its text is
below 77 (about 30 %): deterministic, and a new row never moves an old one. Rules and thresholds are tuned
on the tuning part only; the semantic layer's exemplars come from the tuning part only.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parent / "corpus" / "messages.csv"
HELDOUT_BELOW = 77  # of 256: about 30 % held out


@dataclass(frozen=True)
class CorpusRow:
    text: str
    crisis: bool
    category: str
    lang: str

    @property
    def split(self) -> str:
        return "heldout" if hashlib.sha256(self.text.encode()).digest()[0] < HELDOUT_BELOW else "tuning"


def corpus_read(path: Path) -> list[CorpusRow]:
    """Read a corpus file; raises OSError or ValueError if it is missing or malformed."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            CorpusRow(text=row["text"], crisis=row["label"] == "crisis", category=row["category"], lang=row["lang"])
            for row in csv.DictReader(handle)
        ]
    if not rows:
        raise ValueError(f"{path.name} has no rows")
    return rows


@cache
def corpus_rows() -> tuple[CorpusRow, ...]:
    return tuple(corpus_read(CORPUS_PATH))
