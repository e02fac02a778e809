"""Reading a score out of a patient's free-text answer, forgivingly: "7", "7/10", "seven", "I'm a 7 today".

Each reader returns the score, or None when the answer cannot be read with confidence (then the
patient is asked once to clarify, and after that a clinician reads it). Doubt never guesses high:
a range ("6-7") or a fraction ("6.5") reads as the lower whole number.
"""

from __future__ import annotations

import math
import re

from .models import CheckInKind

NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")
_NUMBER = r"\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"({_NUMBER})\s*(?:-|\u2013|\u2014|to|or)\s*({_NUMBER})")
_NUMBERS = re.compile(_NUMBER)

# PHQ-2 answers may be the scale's own words.
PHQ_PHRASES = (
    (re.compile(r"\bnot\s+at\s+all\b"), 0),
    (re.compile(r"\bseveral\s+days\b"), 1),
    (re.compile(r"\bmore\s+than\s+half\b"), 2),
    (re.compile(r"\b(nearly|almost)\s+every\s*day\b"), 3),
)

_HOME_UNSURE = re.compile(r"\bnot\s+(home\s+)?yet\b|\bon\s+(my|the|our)\s+way\b|\balmost\s+home\b|\bnearly\s+home\b")
_HOME_HARMLESS_NEGATIONS = re.compile(
    r"\bno\s+(problems?|issues?|worries|complaints)\b|\bnot\s+bad\b|\bnever\s+better\b|\bdont\s+worry\b"
)
_HOME_NO = re.compile(
    r"\b(no|nope|nah|not|never|call|help|hospital|emergency|dont|cant|didnt|isnt|wasnt|havent|hasnt|unsafe|lost)\b|👎"
)
_HOME_YES = re.compile(
    r"\b(yes|y|yeah|yea|yep|yup|ya|ok|okay|k|home|safe|safely|fine|good|great|alright|sure|made\s+it)\b|👍|✅"
)


def _normalize(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.replace("'", "").split())


def _with_number_words_as_digits(text: str) -> str:
    if re.search(r"\d", text):
        return text  # digits win: "one more day, I'm a 6" is a 6
    text = re.sub(r"\bno\s+one\b|\bthe\s+one\b", " ", text)
    return _NUMBER_WORD.sub(lambda match: str(NUMBER_WORDS[match.group(1)]), text)


def _as_number(token: str) -> float:
    # Hundreds of digits make an infinite float, which has no floor: anything that big is just off the scale.
    return min(float(token.replace(",", ".")), 1e9)


def _single_number(text: str, *, out_of: int, low: int, high: int) -> int | None:
    """The one number in the text within [low, high] (floored), ignoring an "out of N" denominator."""
    text = re.sub(rf"\s*(?:/|\bout\s+of|\bof)\s*{out_of}\b", " ", text)
    text = _with_number_words_as_digits(text)
    text = _RANGE.sub(lambda m: repr(min(_as_number(m.group(1)), _as_number(m.group(2)))), text)
    values = {math.floor(_as_number(token)) for token in _NUMBERS.findall(text)}
    if len(values) != 1:
        return None
    value = values.pop()
    return value if low <= value <= high else None


def mood_parse(text: str) -> int | None:
    return _single_number(_normalize(text), out_of=10, low=0, high=10)


def phq_item_parse(text: str) -> int | None:
    normalized = _normalize(text)
    by_phrase = {score for pattern, score in PHQ_PHRASES if pattern.search(normalized)}
    if len(by_phrase) == 1 and not re.search(r"\d", normalized):
        return by_phrase.pop()
    return _single_number(normalized, out_of=3, low=0, high=3)


def home_safe_parse(text: str) -> int | None:
    """1 if the patient says they are home safe, 0 if not (or asks for a call), None if it is unclear."""
    normalized = _normalize(text)
    if _HOME_UNSURE.search(normalized):
        return None  # still on the way: ask them to answer once home
    normalized = _HOME_HARMLESS_NEGATIONS.sub(" ", normalized)
    if _HOME_NO.search(normalized):
        return 0  # any "no" or "call me" reaches a clinician, even next to a "yes"
    if _HOME_YES.search(normalized):
        return 1
    return None


def answer_parse(*, kind: str, text: str) -> int | None:
    if kind == CheckInKind.MOOD:
        return mood_parse(text)
    if kind == CheckInKind.PHQ2:
        return phq_item_parse(text)
    return home_safe_parse(text)
