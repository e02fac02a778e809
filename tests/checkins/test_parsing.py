"""Answers are read forgivingly, and never guessed: what cannot be read with confidence is None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.checkins.parsing import NUMBER_WORDS, home_safe_parse, mood_parse, phq_item_parse


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("7", 7),
        ("7/10", 7),
        ("7 / 10", 7),
        ("7 out of 10", 7),
        ("seven", 7),
        ("Seven!", 7),
        ("I'm a 7 today", 7),
        ("I\u2019m a seven today", 7),
        ("feeling like a 3", 3),
        ("0", 0),
        ("10", 10),
        ("10/10 best day in ages", 10),
        ("ten", 10),
        ("8ish", 8),
        ("6.5", 6),  # a fraction reads low
        ("6-7", 6),  # so does a range
        ("5 or 6", 5),
        ("about a 4 I guess", 4),
        ("no one called me back but I'm a 6", 6),
    ],
)
def test_mood_answers_are_read(text: str, score: int) -> None:
    assert mood_parse(text) == score


@pytest.mark.parametrize(
    "text",
    ["", "good", "not great", "11", "70%", "3 yesterday but 7 today", "-", "a lot better than last week", "100"],
)
def test_mood_answers_that_cannot_be_read_are_none(text: str) -> None:
    assert mood_parse(text) is None


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("0", 0),
        ("1", 1),
        ("2", 2),
        ("3", 3),
        ("three", 3),
        ("not at all", 0),
        ("Several days", 1),
        ("more than half the days", 2),
        ("nearly every day", 3),
        ("almost everyday", 3),
        ("I'd say 2", 2),
    ],
)
def test_phq_items_are_read(text: str, score: int) -> None:
    assert phq_item_parse(text) == score


@pytest.mark.parametrize("text", ["4", "7/10", "sometimes", "1 or 2 maybe, and 3 last week"])
def test_phq_items_out_of_range_or_unclear_are_none(text: str) -> None:
    assert phq_item_parse(text) is None


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("OK", 1),
        ("yes", 1),
        ("Yep home safe", 1),
        ("home and resting, thanks", 1),
        ("👍", 1),
        ("Yes, no problems", 1),
        ("yes don't worry", 1),
        ("no", 0),
        ("CALL", 0),
        ("please call me", 0),
        ("I'm home but can you call me?", 0),  # a request for a call wins over a yes
        ("not feeling safe", 0),
        ("not yet", None),  # still on the way: asked again to answer once home
        ("on my way, almost home", None),
        ("what?", None),
    ],
)
def test_home_safe_answers_are_read(text: str, safe: int | None) -> None:
    assert home_safe_parse(text) == safe


TEMPLATES = ["{}", "{}/10", "{} out of 10", "I'm a {} today", "feeling like a {}.", "  {}  ", "a {} I think"]


@given(score=st.integers(min_value=0, max_value=10), template=st.sampled_from(TEMPLATES), words=st.booleans())
def test_any_score_in_any_usual_phrasing_reads_back(score: int, template: str, words: bool) -> None:
    spoken = {value: word for word, value in NUMBER_WORDS.items()}[score] if words else str(score)
    assert mood_parse(template.format(spoken)) == score


@given(text=st.text(max_size=80))
def test_any_text_reads_as_a_valid_score_or_none(text: str) -> None:
    mood = mood_parse(text)
    item = phq_item_parse(text)
    assert mood is None or 0 <= mood <= 10
    assert item is None or 0 <= item <= 3
    assert home_safe_parse(text) in (None, 0, 1)
