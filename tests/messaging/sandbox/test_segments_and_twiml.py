"""Pure pieces of the sandbox: reading TwiML answers (segments: tests/messaging/test_segments.py)."""

from __future__ import annotations

import pytest

from clinic.messaging.sandbox.services import TwimlMessage, twiml_messages


def test_twiml_messages_reads_every_message_verb() -> None:
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>One</Message>'
        '<Message to="+15550000001"><Body>Two</Body></Message><Message>  </Message></Response>'
    )

    assert twiml_messages(twiml) == [TwimlMessage(body="One"), TwimlMessage(body="Two", to="+15550000001")]


@pytest.mark.parametrize("text", ["", "OK", "<html><body>Error</body></html>", "<Response><Message>"])
def test_twiml_messages_ignores_what_is_not_twiml(text: str) -> None:
    assert twiml_messages(text) == []
