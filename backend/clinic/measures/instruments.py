"""Validated questionnaires, defined as data: one JSON file per instrument in `definitions/`.

A new instrument is a new JSON file and nothing else. Each file is read and checked when this module
is imported: a broken definition raises `DefinitionError` at once (and fails a test), never later in
front of a patient.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
# Every text a patient reads exists in each of these languages.
DEFINITION_LANGUAGES: tuple[str, ...] = ("en", "es")


class DefinitionError(ValueError):
    """An instrument definition file is malformed."""


class AnswerError(ValueError):
    """An answer names an unknown item or a value outside the item's scale."""


@dataclass(frozen=True)
class AnswerOption:
    value: int
    label: Mapping[str, str]

    def label_in(self, language: str) -> str:
        return self.label.get(language) or self.label["en"]


@dataclass(frozen=True)
class Item:
    link_id: str
    text: Mapping[str, str]
    position: int  # 1-based

    def text_in(self, language: str) -> str:
        return self.text.get(language) or self.text["en"]


@dataclass(frozen=True)
class SeverityBand:
    code: str
    min: int
    max: int
    label: Mapping[str, str]

    def label_in(self, language: str) -> str:
        return self.label.get(language) or self.label["en"]


@dataclass(frozen=True)
class UrgentRule:
    """An answer of `at_least` or more to item `link_id` opens an urgent alert."""

    link_id: str
    at_least: int
    reason: str


@dataclass(frozen=True)
class Source:
    authors: str
    citation: str
    year: int
    copyright: str
    publisher_url: str
    es: str  # where the Spanish wording comes from


@dataclass(frozen=True)
class Instrument:
    code: str
    title: Mapping[str, str]
    version: str
    source: Source
    stem: Mapping[str, str]
    items: tuple[Item, ...]
    options: tuple[AnswerOption, ...]
    score_min: int
    score_max: int
    bands: tuple[SeverityBand, ...]
    bands_source: str
    urgent: tuple[UrgentRule, ...]

    @property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(item.link_id for item in self.items)

    @property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)

    def item(self, link_id: str) -> Item:
        for item in self.items:
            if item.link_id == link_id:
                return item
        raise AnswerError(f"{self.code} has no item {link_id!r}")

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]

    def stem_in(self, language: str) -> str:
        return self.stem.get(language) or self.stem["en"]

    def band_for(self, total: int) -> SeverityBand:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band
        raise AnswerError(f"{self.code} total {total} is outside {self.score_min}-{self.score_max}")

    def urgent_answers(self, answers: Mapping[str, int]) -> list[UrgentRule]:
        """Return the urgent rules these answers meet (e.g. PHQ-9 item 9 above 0)."""
        return [rule for rule in self.urgent if answers.get(rule.link_id, -1) >= rule.at_least]


@dataclass(frozen=True)
class Score:
    total: int  # sum of the answered items (of all of them when complete)
    band: SeverityBand | None  # None until every item is answered
    complete: bool
    answered: int

    @property
    def band_code(self) -> str:
        return self.band.code if self.band else ""

    def band_label(self, language: str = "en") -> str:
        return self.band.label_in(language) if self.band else ""


def answers_check(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, int]:
    """Return the answers as {link_id: int}, or raise AnswerError for an unknown item or value."""
    allowed = instrument.values
    checked: dict[str, int] = {}
    for link_id, value in answers.items():
        instrument.item(link_id)  # raises for an unknown item
        # bool is an int in Python; True is not an answer.
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            raise AnswerError(f"{link_id}: {value!r} is not one of {sorted(allowed)}")
        checked[link_id] = value
    return checked


def instrument_score(instrument: Instrument, answers: Mapping[str, int]) -> Score:
    """Score answers {link_id: value}; refuse unknown items and out-of-range values."""
    checked = answers_check(instrument, answers)
    total = sum(checked.values())
    complete = len(checked) == len(instrument.items)
    return Score(
        total=total,
        band=instrument.band_for(total) if complete else None,
        complete=complete,
        answered=len(checked),
    )


# --- Loading and validating the definitions -------------------------------------------------------


def _texts(data: Any, where: str) -> dict[str, str]:
    if not isinstance(data, dict):
        raise DefinitionError(f"{where}: expected texts by language, got {data!r}")
    for language in DEFINITION_LANGUAGES:
        text = data.get(language)
        if not isinstance(text, str) or not text.strip():
            raise DefinitionError(f"{where}: missing its {language!r} text")
    return {str(k): str(v) for k, v in data.items()}


def _int(data: Any, where: str) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        raise DefinitionError(f"{where}: expected a whole number, got {data!r}")
    return int(data)


def _str(data: Any, where: str) -> str:
    if not isinstance(data, str) or not data.strip():
        raise DefinitionError(f"{where}: expected text, got {data!r}")
    return data


def instrument_from_data(data: Any, *, where: str = "definition") -> Instrument:
    """Build an Instrument from a parsed definition, or raise DefinitionError naming what is wrong."""
    if not isinstance(data, dict):
        raise DefinitionError(f"{where}: expected an object")
    try:
        code = _str(data["code"], f"{where}.code")
        src = data["source"]
        if not isinstance(src, dict):
            raise DefinitionError(f"{where}.source: expected an object")
        source = Source(
            authors=_str(src["authors"], f"{where}.source.authors"),
            citation=_str(src["citation"], f"{where}.source.citation"),
            year=_int(src["year"], f"{where}.source.year"),
            copyright=_str(src["copyright"], f"{where}.source.copyright"),
            publisher_url=_str(src["publisher_url"], f"{where}.source.publisher_url"),
            es=_str(src["es"], f"{where}.source.es"),
        )
        options = tuple(
            AnswerOption(value=_int(o["value"], f"{where}.options"), label=_texts(o["label"], f"{where}.options"))
            for o in data["options"]
        )
        items = tuple(
            Item(
                link_id=_str(i["link_id"], f"{where}.items[{n}]"),
                text=_texts(i["text"], f"{where}.items[{n}]"),
                position=n + 1,
            )
            for n, i in enumerate(data["items"])
        )
        low, high = (_int(v, f"{where}.score_range") for v in data["score_range"])
        bands = tuple(
            SeverityBand(
                code=_str(b["code"], f"{where}.bands"),
                min=_int(b["min"], f"{where}.bands"),
                max=_int(b["max"], f"{where}.bands"),
                label=_texts(b["label"], f"{where}.bands"),
            )
            for b in data["bands"]
        )
        urgent = tuple(
            UrgentRule(
                link_id=_str(u["link_id"], f"{where}.urgent"),
                at_least=_int(u["at_least"], f"{where}.urgent"),
                reason=_str(u["reason"], f"{where}.urgent"),
            )
            for u in data.get("urgent", [])
        )
        instrument = Instrument(
            code=code,
            title=_texts(data["title"], f"{where}.title"),
            version=_str(data["version"], f"{where}.version"),
            source=source,
            stem=_texts(data["stem"], f"{where}.stem"),
            items=items,
            options=options,
            score_min=low,
            score_max=high,
            bands=bands,
            bands_source=_str(data["bands_source"], f"{where}.bands_source"),
            urgent=urgent,
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, DefinitionError):
            raise
        raise DefinitionError(f"{where}: missing or malformed {error}") from error
    _consistency_check(instrument, where)
    return instrument


def _consistency_check(instrument: Instrument, where: str) -> None:
    if not instrument.items:
        raise DefinitionError(f"{where}: no items")
    if len(set(instrument.link_ids)) != len(instrument.items):
        raise DefinitionError(f"{where}: two items share a link_id")
    for link_id in instrument.link_ids:
        if not link_id.startswith(f"{instrument.code}-"):
            raise DefinitionError(f"{where}: item {link_id!r} should start with {instrument.code}-")
    values = sorted(option.value for option in instrument.options)
    if not values or values != list(range(values[0], values[0] + len(values))):
        raise DefinitionError(f"{where}: answer values must be distinct consecutive numbers, got {values}")
    if instrument.score_min != values[0] * len(instrument.items):
        raise DefinitionError(f"{where}: score range starts at {instrument.score_min}, items allow {values[0]}")
    if instrument.score_max != values[-1] * len(instrument.items):
        raise DefinitionError(f"{where}: score range ends at {instrument.score_max}, items allow {values[-1]}")
    # The bands cover the score range exactly: in order, no gap, no overlap.
    expected = instrument.score_min
    for band in instrument.bands:
        if band.min != expected or band.max < band.min:
            raise DefinitionError(f"{where}: band {band.code!r} should start at {expected}")
        expected = band.max + 1
    if expected != instrument.score_max + 1:
        raise DefinitionError(f"{where}: bands end at {expected - 1}, the score range at {instrument.score_max}")
    if len({band.code for band in instrument.bands}) != len(instrument.bands):
        raise DefinitionError(f"{where}: two bands share a code")
    for rule in instrument.urgent:
        if rule.link_id not in instrument.link_ids:
            raise DefinitionError(f"{where}: urgent rule names unknown item {rule.link_id!r}")
        if rule.at_least not in instrument.values:
            raise DefinitionError(f"{where}: urgent rule value {rule.at_least} is not an answer value")


def instruments_load(directory: Path = DEFINITIONS_DIR) -> dict[str, Instrument]:
    """Read and validate every `*.json` definition in `directory`, keyed by code."""
    loaded: dict[str, Instrument] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise DefinitionError(f"{path.name}: not valid JSON ({error})") from error
        instrument = instrument_from_data(data, where=path.name)
        if path.stem != instrument.code:
            raise DefinitionError(f"{path.name}: its code is {instrument.code!r}; name the file {instrument.code}.json")
        loaded[instrument.code] = instrument
    return loaded


INSTRUMENTS: dict[str, Instrument] = instruments_load()


def instrument_get(code: str) -> Instrument:
    """Return the instrument with this code; KeyError if there is none."""
    return INSTRUMENTS[code]


def instrument_choices() -> list[tuple[str, str]]:
    return [(code, instrument.title["en"]) for code, instrument in INSTRUMENTS.items()]
