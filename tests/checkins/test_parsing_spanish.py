"""Spanish answers to check-ins are read as forgivingly as English ones, and never guessed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.checkins.parsing import NUMBER_WORDS_ES, home_safe_parse, mood_parse, phq_item_parse


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("siete", 7),
        ("Siete!", 7),
        ("SEIS", 6),
        ("seis de diez", 6),
        ("un 7", 7),
        ("un 7 de 10", 7),
        ("me siento bien, 8", 8),
        ("cero", 0),
        ("diez", 10),
        ("uno", 1),
        ("sinco", 5),  # spelt as it sounds
        ("nuebe de diez", 9),
        ("como un 4 hoy", 4),
        ("6 o 7", 6),  # a range reads low, in Spanish too
        ("dos o tres", 2),
        ("seven out of ten", 7),
    ],
)
def test_spanish_mood_answers_are_read(text: str, score: int) -> None:
    assert mood_parse(text) == score


@pytest.mark.parametrize(
    "text",
    [
        "bien",
        "más o menos",
        "cada uno es distinto",  # "uno" that is not a number
        "uno de mis hijos está enfermo",
        "7 ayer pero 3 hoy",
        "once",  # eleven, and out of the scale
    ],
)
def test_spanish_mood_answers_that_cannot_be_read_are_none(text: str) -> None:
    assert mood_parse(text) is None


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("para nada", 0),
        ("nunca", 0),
        ("Ningún día", 0),
        ("ningun dia", 0),
        ("varios días", 1),
        ("Varios dias", 1),
        ("algunos días", 1),
        ("más de la mitad de los días", 2),
        ("mas de la mitad", 2),
        ("casi todos los días", 3),
        ("CASI TODOS LOS DIAS", 3),
        ("todos los días", 3),
        ("casi diario", 3),
        ("tres", 3),
        ("diría que 2", 2),
    ],
)
def test_spanish_phq_items_are_read(text: str, score: int) -> None:
    assert phq_item_parse(text) == score


@pytest.mark.parametrize(
    "text",
    [
        "casi nunca",  # between "ningún día" and "varios días": asked again
        "no todos los días",
        "varios días, casi todos los días la semana pasada",
        "cuatro",
        "a veces",
    ],
)
def test_spanish_phq_items_that_are_unclear_are_none(text: str) -> None:
    assert phq_item_parse(text) is None


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("sí", 1),
        ("Si", 1),
        ("sí, ya llegué", 1),
        ("si ya llegue", 1),
        ("ya llegué, gracias", 1),
        ("estoy en casa", 1),
        ("ya en casa, todo bien", 1),
        ("a salvo, no se preocupen", 1),
        ("sí, sin problemas", 1),
        ("listo", 1),
        ("no", 0),
        ("llámenme", 0),
        ("llamenme por favor", 0),
        ("no me siento bien", 0),
        ("estoy en casa pero me pueden llamar?", 0),  # a call asked for wins over a yes
        ("me siento mal", 0),
        ("ayuda", 0),
        ("todavía no me siento bien", 0),  # still unwell, not still on the way
        ("todavía no llego, llámenme", 0),  # on the way, but a call asked for reaches a clinician
        ("todavía no", None),  # on the way: asked again to answer once home
        ("aun no", None),
        ("voy en camino", None),
        ("ya casi llego", None),
        ("no he llegado todavía", None),
        ("¿qué?", None),
    ],
)
def test_spanish_home_safe_answers_are_read(text: str, safe: int | None) -> None:
    assert home_safe_parse(text) == safe


TEMPLATES = ["{}", "{} de 10", "{} de diez", "un {}", "me siento como un {}.", "  {}  ", "estoy en {} hoy"]


@given(score=st.integers(min_value=0, max_value=10), template=st.sampled_from(TEMPLATES), words=st.booleans())
def test_any_score_in_any_usual_spanish_phrasing_reads_back(score: int, template: str, words: bool) -> None:
    spoken = {value: word for word, value in NUMBER_WORDS_ES.items() if word not in ("sinco", "nuebe")}
    assert mood_parse(template.format(spoken[score] if words else str(score))) == score


@given(text=st.text(alphabet=st.sampled_from("aáeéiíoóuúñ ,.¿?!0123456789 sidenocasbl"), max_size=60))
def test_any_spanish_looking_text_reads_as_a_valid_score_or_none(text: str) -> None:
    mood = mood_parse(text)
    item = phq_item_parse(text)
    assert mood is None or 0 <= mood <= 10
    assert item is None or 0 <= item <= 3
    assert home_safe_parse(text) in (None, 0, 1)
