"""The instruments as data: every definition valid, scoring against the published examples, every band's edges."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from clinic.measures.instruments import (
    DEFINITIONS_DIR,
    INSTRUMENTS,
    AnswerError,
    DefinitionError,
    Instrument,
    instrument_from_data,
    instrument_get,
    instrument_score,
    instruments_load,
)


def answers_totalling(instrument: Instrument, total: int) -> dict[str, int]:
    """Answers whose sum is `total`, filled item by item up to the highest value."""
    top = max(instrument.values)
    answers = {}
    for link_id in instrument.link_ids:
        value = min(top, total)
        answers[link_id] = value
        total -= value
    assert total == 0
    return answers


def phq9_data() -> dict[str, Any]:
    return dict(json.loads((DEFINITIONS_DIR / "phq9.json").read_text(encoding="utf-8")))


def test_the_three_instruments_load_with_their_published_shape() -> None:
    assert sorted(INSTRUMENTS) == ["gad7", "pcl5", "phq9"]
    shape = {code: (len(i.items), min(i.values), max(i.values), i.score_max) for code, i in INSTRUMENTS.items()}
    assert shape == {"phq9": (9, 0, 3, 27), "gad7": (7, 0, 3, 21), "pcl5": (20, 0, 4, 80)}
    for instrument in INSTRUMENTS.values():
        assert instrument.source.citation and instrument.source.publisher_url.startswith("https://")
        assert instrument.source.es, "each definition says where its Spanish wording comes from"
        for item in instrument.items:
            assert item.text["en"] and item.text["es"] and item.text["en"] != item.text["es"]
    assert "Kroenke" in instrument_get("phq9").source.citation
    assert "Weathers" in instrument_get("pcl5").source.citation
    assert instrument_get("phq9").item("phq9-9").text["en"].startswith("Thoughts that you would be better off dead")
    assert instrument_get("pcl5").stem["en"].endswith("In the past month, how much were you bothered by:")


def test_phq9_all_ones_is_nine_mild_as_published() -> None:
    phq9 = instrument_get("phq9")
    score = instrument_score(phq9, dict.fromkeys(phq9.link_ids, 1))
    assert (score.total, score.band_code, score.band_label("en"), score.complete) == (9, "mild", "Mild", True)
    assert score.band_label("es") == "Leve"


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately_severe"),
        ("phq9", 19, "moderately_severe"),
        ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        ("gad7", 0, "minimal"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 9, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 14, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("pcl5", 0, "below_threshold"),
        ("pcl5", 32, "below_threshold"),
        ("pcl5", 33, "probable_ptsd"),
        ("pcl5", 80, "probable_ptsd"),
    ],
)
def test_every_band_edge(code: str, total: int, band: str) -> None:
    instrument = instrument_get(code)
    score = instrument_score(instrument, answers_totalling(instrument, total))
    assert (score.total, score.band_code) == (total, band)


def test_a_partial_questionnaire_has_a_running_total_and_no_band() -> None:
    gad7 = instrument_get("gad7")
    score = instrument_score(gad7, {"gad7-1": 3, "gad7-2": 2})
    assert (score.total, score.band, score.complete, score.answered) == (5, None, False, 2)


@pytest.mark.parametrize("answers", [{"phq9-1": 4}, {"phq9-1": -1}, {"phq9-1": True}, {"phq9-1": "2"}, {"phq9-10": 1}])
def test_out_of_range_values_and_unknown_items_are_refused(answers: dict[str, Any]) -> None:
    with pytest.raises(AnswerError):
        instrument_score(instrument_get("phq9"), answers)


def test_item_9_above_0_is_urgent_and_0_is_not() -> None:
    phq9 = instrument_get("phq9")
    assert phq9.urgent_answers({"phq9-9": 0}) == []
    assert [rule.link_id for rule in phq9.urgent_answers({"phq9-9": 1})] == ["phq9-9"]
    assert instrument_get("gad7").urgent == ()


@pytest.mark.parametrize(
    ("break_it", "complaint"),
    [
        (lambda d: d["items"][0]["text"].pop("es"), "missing its 'es' text"),
        (lambda d: d["bands"].pop(1), "should start at 5"),
        (lambda d: d.__setitem__("score_range", [0, 30]), "score range ends at 30"),
        (lambda d: d["items"][1].__setitem__("link_id", "phq9-1"), "share a link_id"),
        (lambda d: d["urgent"][0].__setitem__("link_id", "phq9-99"), "unknown item"),
        (lambda d: d.pop("source"), "source"),
        (lambda d: d["options"][0].__setitem__("value", 7), "consecutive"),
    ],
)
def test_a_broken_definition_fails_loudly(break_it: Any, complaint: str) -> None:
    data = copy.deepcopy(phq9_data())
    break_it(data)
    with pytest.raises(DefinitionError, match=complaint):
        instrument_from_data(data, where="phq9.json")


def test_a_new_instrument_is_a_new_file_and_nothing_else(tmp_path: Path) -> None:
    for path in DEFINITIONS_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    data = phq9_data()
    data["code"] = "phq8"
    data["items"] = [dict(item, link_id=f"phq8-{n + 1}") for n, item in enumerate(data["items"][:8])]
    data["score_range"], data["urgent"] = [0, 24], []
    data["bands"][-1]["max"] = 24
    (tmp_path / "phq8.json").write_text(json.dumps(data), encoding="utf-8")

    loaded = instruments_load(tmp_path)

    assert sorted(loaded) == ["gad7", "pcl5", "phq8", "phq9"]
    assert instrument_score(loaded["phq8"], {f"phq8-{n}": 3 for n in range(1, 9)}).band_code == "severe"
    (tmp_path / "wrong-name.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"name the file phq8\.json"):
        instruments_load(tmp_path)
