"""Reading a score out of a patient's free-text answer, forgivingly: "7", "7/10", "seven", "I'm a 7 today", and
in Spanish: "siete", "seis de diez", "un 7", "me siento bien, 8", "casi todos los días", "sí, ya llegué".

Each reader returns the score, or None when the answer cannot be read with confidence (then the
patient is asked once to clarify, and after that a clinician reads it). Doubt never guesses high:
a range ("6-7") or a fraction ("6.5") reads as the lower whole number. Answers are read lower-cased with
accents folded ("días" is "dias"), so a text written without accents reads the same.
"""

from __future__ import annotations

import math
import re

from clinic.core.text import accents_fold, quotes_straighten

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
# Spanish, as read with accents folded; with the misspellings of sound-alike letters people text ("sinco").
# "un"/"una" are articles ("un 7", "una semana"), never 1.
NUMBER_WORDS_ES = {
    "cero": 0,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "sinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "nuebe": 9,
    "diez": 10,
}
_ALL_NUMBER_WORDS = {**NUMBER_WORDS, **NUMBER_WORDS_ES}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_ALL_NUMBER_WORDS) + r")\b")
# Words that are not the number: "no one", "the one", "cada uno", "uno de mis hijos", "uno mismo".
_NOT_A_NUMBER = re.compile(r"\bno\s+one\b|\bthe\s+one\b|\bcada\s+uno\b|\buno\s+(?:de|mismo|nunca|se|no)\b")
_DENOMINATOR_WORDS = {10: ("ten", "diez"), 3: ("three", "tres")}
_NUMBER = r"\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"({_NUMBER})\s*(?:-|\u2013|\u2014|to|or|o)\s*({_NUMBER})")
_NUMBERS = re.compile(_NUMBER)

# PHQ-2 answers may be the scale's own words.
PHQ_PHRASES = (
    (re.compile(r"\bnot\s+at\s+all\b"), 0),
    (re.compile(r"\bseveral\s+days\b"), 1),
    (re.compile(r"\bmore\s+than\s+half\b"), 2),
    (re.compile(r"\b(nearly|almost)\s+every\s*day\b"), 3),
    # The Spanish PHQ-2's own answers ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos
    # los días") and their everyday words. "Casi nunca" (almost never) and "no todos los días" (not every day) lie
    # between two answers: asked again, never guessed.
    (re.compile(r"\bpara\s+nada\b|(?<!casi )\bnunca\b|\bningun\s+dia\b|\bni\s+un\s+(?:solo\s+)?dia\b"), 0),
    (re.compile(r"\b(?:varios|algunos|unos\s+cuantos|pocos)\s+dias\b"), 1),
    (re.compile(r"\bmas\s+de\s+la\s+mitad\b"), 2),
    (re.compile(r"(?<!no )\b(?:casi\s+)?todos\s+los\s+dias\b|\bcasi\s+(?:a\s+)?diario\b|\bcasi\s+cada\s+dia\b"), 3),
)

_HOME_UNSURE = re.compile(
    r"\bnot\s+(home\s+)?yet\b|\bon\s+(my|the|our)\s+way\b|\balmost\s+home\b|\bnearly\s+home\b"
    # "todavía no", "aún no llego", "voy en camino", "ya casi llego", "voy llegando", "ya mero" (not "todavía no me
    # siento bien", still unwell)
    r"|\b(?:todavia|aun)\s+no\b(?=\s*(?:$|[,.;!?]|llego|llegue|llegamos|he\s+llegado|estoy\s+en\s+casa|voy|pero))|\ben\s+camino\b|\bcasi\s+llego\b|\bvoy\s+llegando\b|\bya\s+mero\b"
    # "no he llegado todavía", "no estoy en casa aún"
    r"|\bno\s+(?:he\s+llegado|llego|llegue|estoy\s+en\s+casa)\s+(?:todavia|aun)\b"
)
# A call, help or an emergency asked for, in either language.
_HOME_ASKS_FOR_US = re.compile(r"\b(?:call\s+me|help|emergency|hospital|llam\w*me|ayud\w*|emergencia|urgencias?)\b")
_HOME_HARMLESS_NEGATIONS = re.compile(
    r"\bno\s+(problems?|issues?|worries|complaints)\b|\bnot\s+bad\b|\bnever\s+better\b|\bdont\s+worry\b"
    # "no hay problema", "sin problemas", "no se preocupe(n)", "no te preocupes", "nada mal"
    r"|\bno\s+hay\s+problemas?\b|\bsin\s+problemas?\b|\bningun\s+problema\b|\bno\s+(?:se|te)\s+preocup\w*"
    r"|\bnada\s+mal\b"
)
_HOME_NO = re.compile(
    r"\b(no|nope|nah|not|never|call|help|hospital|emergency|dont|cant|didnt|isnt|wasnt|havent|hasnt|unsafe|lost"
    # "llámenme", "ayuda", "mal", "urgencias", "perdido/a", "nunca"
    r"|llam\w*|ayud\w*|mal|emergencia|urgencias?|perdid[oa]|nunca)\b|👎"
)
_HOME_YES = re.compile(
    r"\b(yes|y|yeah|yea|yep|yup|ya|ok|okay|k|home|safe|safely|fine|good|great|alright|sure|made\s+it"
    # "sí", "ya llegué", "estoy en casa", "bien", "a salvo", "todo bien", "claro", "listo"
    r"|si|llegue|llegamos|casa|bien|salvo|salva|sano|sana|seguro|segura|claro|listo|lista)\b|👍|✅"
)


def _normalize(text: str) -> str:
    """Lower case, accents folded ("días" -> "dias"; "½" is kept), apostrophes dropped, spaces collapsed."""
    text = accents_fold(quotes_straighten(text.lower()))
    return " ".join(text.replace("'", "").split())


def _with_number_words_as_digits(text: str) -> str:
    if re.search(r"\d", text):
        return text  # digits win: "one more day, I'm a 6" is a 6
    text = _NOT_A_NUMBER.sub(" ", text)
    return _NUMBER_WORD.sub(lambda match: str(_ALL_NUMBER_WORDS[match.group(1)]), text)


def _as_number(token: str) -> float:
    # Hundreds of digits make an infinite float, which has no floor: anything that big is just off the scale.
    return min(float(token.replace(",", ".")), 1e9)


def _single_number(text: str, *, out_of: int, low: int, high: int) -> int | None:
    """The one number in the text within [low, high] (floored), ignoring an "out of N" denominator."""
    # "7/10", "7 out of 10", "seven out of ten", "seis de diez", "un 7 de 10"
    denominator = "|".join((str(out_of), *_DENOMINATOR_WORDS.get(out_of, ())))
    text = re.sub(rf"\s*(?:/|\bout\s+of|\bof|\bde)\s*(?:{denominator})\b", " ", text)
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
    if _HOME_ASKS_FOR_US.search(normalized):
        return 0  # "not home yet, call me": a call or help asked for reaches a clinician, on the way or not
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
