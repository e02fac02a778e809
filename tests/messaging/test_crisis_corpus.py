"""The crisis detector against its labelled corpus, and how it degrades when its semantic layer is off.

The corpus (backend/clinic/messaging/crisis/corpus/messages.csv) is what `make crisis-eval` measures. The
detector learns from the whole corpus, so its figures there are near-perfect by construction; what matters is
the held-out part, measured here with a detector that learnt from the tuning part only. The floors below are
the figures measured when the corpus last grew, less a point: a change that makes the detector generalise
worse fails here.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from django.test import Client, override_settings

from clinic.messaging.crisis import CrisisFinding, crisis_detect, crisis_detector_status, crisis_language_in
from clinic.messaging.crisis.corpus import CORPUS_PATH, corpus_rows
from clinic.messaging.crisis.lexicon import CATEGORIES

ROWS = corpus_rows()
CRISIS_ROWS = [row for row in ROWS if row.crisis]
ORDINARY_ROWS = [row for row in ROWS if not row.crisis]

# One plain phrasing per lexicon category: each must page with the semantic layer off.
BY_CATEGORY = {
    "act_taken": "i already swallowed 25 of my seroquel",
    "means_plan": "standing on the overpass right now",
    "overdose": "how many of my klonopin would be lethal",
    "safety": "i really can't keep myself safe tonight",
    "farewell": "goodbye everyone, it wasn't your fault",
    "explicit_ideation": "i want to kill myself",
    "self_harm_relapse": "relapsed and cut again last night",
    "self_harm": "i keep burning myself on purpose",
    "passive_wish": "i hope i don't wake up tomorrow",
    "burden": "my family would be better off without me",
    "hopelessness": "there is no way out of this",
}


def test_the_corpus_is_large_broad_and_split() -> None:
    assert len(CRISIS_ROWS) >= 300 and len(ORDINARY_ROWS) >= 300
    assert sum(row.lang == "es" for row in ROWS) >= 100
    assert {row.split for row in ROWS} == {"tuning", "heldout"}
    assert 0.2 <= sum(row.split == "heldout" for row in ROWS) / len(ROWS) <= 0.4
    assert set(BY_CATEGORY) == set(CATEGORIES)


def test_nearly_every_crisis_text_of_the_corpus_pages() -> None:
    missed = [f"[{row.category}] {row.text}" for row in CRISIS_ROWS if not crisis_language_in(row.text)]
    assert len(missed) / len(CRISIS_ROWS) <= 0.015, missed


def test_at_most_two_percent_of_ordinary_texts_of_the_corpus_page() -> None:
    false_pages = [f"[{row.category}] {row.text}" for row in ORDINARY_ROWS if crisis_language_in(row.text)]
    assert len(false_pages) / len(ORDINARY_ROWS) <= 0.02, false_pages


def test_texts_it_never_learnt_from_page_at_least_92_percent_and_ordinary_ones_at_most_5(tmp_path: Path) -> None:
    tuning = tmp_path / "tuning.csv"
    with tuning.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "category", "lang"])
        writer.writerows(
            [row.text, "crisis" if row.crisis else "not", row.category, row.lang]
            for row in ROWS
            if row.split == "tuning"
        )
    heldout = [row for row in ROWS if row.split == "heldout"]
    with override_settings(CRISIS_SEMANTIC_EXEMPLARS=str(tuning)):
        flagged = {row.text: crisis_language_in(row.text) for row in heldout}
    crisis = [row for row in heldout if row.crisis]
    ordinary = [row for row in heldout if not row.crisis]
    missed = [row.text for row in crisis if not flagged[row.text]]
    false_pages = [row.text for row in ordinary if flagged[row.text]]
    assert len(missed) / len(crisis) <= 0.08, missed
    assert len(false_pages) / len(ordinary) <= 0.05, false_pages


@pytest.mark.parametrize(("category", "text"), sorted(BY_CATEGORY.items()))
@override_settings(CRISIS_SEMANTIC_EXEMPLARS="")
def test_with_the_semantic_layer_off_every_lexicon_category_still_pages(category: str, text: str) -> None:
    assert crisis_detector_status()["semantic"] == "disabled"
    finding = crisis_detect(text)
    assert finding is not None, text
    assert (finding.category, finding.layer, finding.score) == (category, "lexicon", None)


def test_a_missing_model_leaves_the_lexicon_detecting_and_readyz_says_lexicon_only(db: None) -> None:
    with override_settings(CRISIS_SEMANTIC_EXEMPLARS=str(CORPUS_PATH.with_name("missing.csv"))):
        status = crisis_detector_status()
        assert status["lexicon"] == "ok"
        assert str(status["semantic"]).startswith("unavailable: ")
        assert status["mode"] == "lexicon only"
        assert crisis_language_in("I don't trust myself tonight")
        assert not crisis_language_in("this traffic is killing me")

        response = Client().get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json()["crisis_detector"]["mode"] == "lexicon only"


def test_readyz_says_building_at_once_then_reports_the_semantic_layer_loaded(db: None) -> None:
    # The same corpus under another name: a source this process has not built yet.
    with override_settings(CRISIS_SEMANTIC_EXEMPLARS=f"{CORPUS_PATH.parent}/./{CORPUS_PATH.name}"):
        started = time.monotonic()
        first = Client().get("/readyz")
        assert time.monotonic() - started < 3, "a probe never waits for the detector's build (about 5 s)"
        assert first.status_code == 200
        assert first.json()["crisis_detector"]["mode"] == "building"

        crisis_detector_status()  # waits for the build the probe started
        response = Client().get("/readyz")

    assert response.json()["crisis_detector"]["mode"] == "lexicon and semantic"
    assert str(response.json()["crisis_detector"]["semantic"]).startswith("loaded")


@pytest.mark.parametrize("text", [*BY_CATEGORY.values(), "x" * 300 + " i want to die"])
def test_the_explanation_names_the_category_in_one_short_line(text: str) -> None:
    finding = crisis_detect(text)
    assert finding is not None
    line = finding.explain()
    assert len(line) <= 200 and "\n" not in line
    assert finding.layer == "lexicon" and finding.evidence in line


def test_a_semantic_finding_names_the_nearest_exemplar_and_its_score() -> None:
    finding = CrisisFinding(
        category="farewell", layer="semantic", evidence="thank you for everything " * 20, score=0.61
    )
    line = finding.explain()
    assert len(line) <= 200 and "farewell" in line and "0.61" in line


def test_a_model_finding_names_its_probability_and_the_words_that_weighed_most() -> None:
    finding = CrisisFinding(category="farewell", layer="model", evidence="gave, my dog, neighbour", score=0.934)
    line = finding.explain()
    assert len(line) <= 200 and "farewell" in line and "0.93" in line and "gave, my dog, neighbour" in line


def test_a_past_ideation_the_patient_says_is_over_does_not_page_but_one_coming_back_does() -> None:
    assert not crisis_language_in("last year i wanted to die, now i'm so much better")
    assert crisis_language_in("last year i wanted to die, and now it's back")
    assert crisis_language_in("i used to want to die and i still do sometimes")
