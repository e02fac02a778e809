"""One SMS part counter: the wording check refuses what the sandbox counts as too many parts, and nothing else."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from clinic.messaging.sandbox.services import sandbox_message_create
from clinic.messaging.segments import is_gsm7, sms_segments, sms_segments_allowed
from clinic.messaging.wording import text_problems

# Spanish with an acute accent: "í" is not in GSM-7, so the whole text is UCS-2.
SPANISH = "Hola Ana, sí, su cita es el martes a las 9:00. Responda C."
EXTENSION = ["€", "[", "]", "{", "}", "^", "~", "\\", "|", "\f"]

CASES: list[tuple[str, str, int]] = [
    # GSM-7: 160 alone, 153 per part.
    ("GSM 160", "a" * 160, 1),
    ("GSM 161", "a" * 161, 2),
    ("GSM 459", "a" * 459, 3),
    ("GSM 460", "a" * 460, 4),
    ("é ñ ü É Ñ Ü are GSM-7", "éñüÉÑÜ" * 26 + "abcd", 1),
    ("é ñ ü É Ñ Ü are GSM-7, 161", "éñüÉÑÜ" * 26 + "abcde", 2),
    # Extension characters are two septets each, wherever the boundary falls.
    *((f"{char!r} at 160 septets", "a" * 158 + char, 1) for char in EXTENSION),
    *((f"{char!r} at 161 septets", "a" * 159 + char, 2) for char in EXTENSION),
    ("three full parts with €: 459 septets", ("€" * 76 + "a") * 3, 3),
    ("460 septets with €", ("€" * 76 + "a") * 3 + "a", 4),
    ("€ x 230: 460 septets", "€" * 230, 4),
    # 459 septets, but the escape pair at 152-153 cannot be split: it opens the second part.
    ("escape pair never split", "a" * 152 + "€" + "a" * 305, 4),
    # UCS-2: 70 alone, 67 per part.
    ("UCS-2 70", "ł" * 70, 1),
    ("UCS-2 71", "ł" * 71, 2),
    ("Spanish with í, 70", SPANISH.ljust(70, "."), 1),
    ("Spanish with í, 71", SPANISH.ljust(71, "."), 2),
    ("Spanish with i, 160", SPANISH.replace("í", "i").ljust(160, "."), 1),
    ("one á in 101 characters", "a" * 100 + "á", 2),
    ("í x 201", "í" * 201, 3),
    ("í x 202", "í" * 202, 4),
    ("í x 469: seven parts, the most a UCS-2 text may take", "í" * 469, 7),
    ("í x 470", "í" * 470, 8),
    # An emoji is two UTF-16 units.
    ("emoji at 70 units", "a" * 68 + "😀", 1),
    ("emoji at 71 units", "a" * 69 + "😀", 2),
    ("35 emoji", "😀" * 35, 1),
    ("36 emoji", "😀" * 36, 2),
    ("three full parts with emoji: 201 units", ("😀" * 33 + "a") * 3, 3),
    ("202 units with emoji", ("😀" * 33 + "a") * 3 + "a", 4),
    ("101 emoji: 202 units", "😀" * 101, 4),
    # 201 units, but the surrogate pair at 67-68 cannot be split: it opens the second part.
    ("surrogate pair never split", "a" * 66 + "😀" + "a" * 133, 4),
]


def test_the_spanish_case_is_as_long_as_it_says() -> None:
    assert len(SPANISH) <= 70 and not is_gsm7(SPANISH) and is_gsm7(SPANISH.replace("í", "i"))


def test_an_empty_text_takes_one_part() -> None:
    assert sms_segments("") == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "parts"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_the_sandbox_and_the_wording_check_agree(body: str, parts: int, settings: Settings) -> None:
    settings.SMS_SANDBOX_SMART_ENCODING = False
    assert sms_segments(body) == parts

    stored = sandbox_message_create(
        account_sid=settings.TWILIO_ACCOUNT_SID, to="+15551230001", from_=settings.TWILIO_FROM_NUMBER, body=body
    )
    assert stored.num_segments == parts

    # The wording check renders the text (doubled braces are literal ones), then counts it.
    wording = body.replace("{", "{{").replace("}", "}}")
    too_long = [problem for problem in text_problems("appointment_reminder", wording) if "Too long" in problem]
    allowed = sms_segments_allowed(body)
    if parts > allowed:
        assert len(too_long) == 1 and too_long[0].startswith(
            f"Too long: with long names it takes {parts} SMS parts; at most {allowed}"
        )
    else:
        assert too_long == []


def test_the_cases_reach_past_the_wording_limit_in_both_encodings() -> None:
    over = {is_gsm7(body) for _, body, parts in CASES if parts > sms_segments_allowed(body)}
    assert over == {True, False}
