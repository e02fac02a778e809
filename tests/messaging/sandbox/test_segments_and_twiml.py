"""Pure pieces of the sandbox: segment counting and reading TwiML answers."""

from __future__ import annotations

import pytest

from clinic.messaging.sandbox.segments import body_is_gsm7, body_num_segments
from clinic.messaging.sandbox.services import TwimlMessage, twiml_messages


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 459, 3),
        ("a" * 460, 4),
        ("€" * 80, 1),  # extension characters take two septets each
        ("€" * 81, 2),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
        ("ü" * 160, 1),
        ("ą" * 67 * 3, 3),
    ],
)
def test_body_num_segments(body: str, segments: int) -> None:
    assert body_num_segments(body) == segments


def test_gsm7_detection() -> None:
    assert body_is_gsm7("Reply YES to confirm {9:00}")
    assert not body_is_gsm7("Reply “YES”")  # curly quotes force UCS-2


def test_twiml_messages_reads_every_message_verb() -> None:
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>One</Message>'
        '<Message to="+15550000001"><Body>Two</Body></Message><Message>  </Message></Response>'
    )

    assert twiml_messages(twiml) == [TwimlMessage(body="One"), TwimlMessage(body="Two", to="+15550000001")]


@pytest.mark.parametrize("text", ["", "OK", "<html><body>Error</body></html>", "<Response><Message>"])
def test_twiml_messages_ignores_what_is_not_twiml(text: str) -> None:
    assert twiml_messages(text) == []
