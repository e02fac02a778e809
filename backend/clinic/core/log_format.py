"""How every log line is written: one JSON object per line, with phone numbers and e-mail addresses redacted.

Log lines leave the clinic (log shippers, support tickets, screenshots), so nothing written here may
identify a patient. Our own code never logs a message body or a name; this module is the safety net
for what slips through anyway: a phone number inside an exception text, a third-party library's
debug line, a field passed as `extra`. It redacts the finished line, traceback included.
"""

from __future__ import annotations

import datetime
import json
import logging
import re

import phonenumbers

REDACTED_PHONE = "[phone]"
REDACTED_EMAIL = "[email]"
REDACTED_TEXT = "[redacted]"

# `extra` fields whose value is a text someone wrote; dropped whatever they hold.
TEXT_FIELDS = frozenset({"body", "Body", "text", "raw_text", "message_body", "note", "reply"})

_INTERNATIONAL = re.compile(r"\+\d(?:[\s().-]{0,2}\d){7,14}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Ten to fifteen digits, possibly split by separators, not part of a longer word such as a Twilio SID.
_MAYBE_NATIONAL = re.compile(r"(?<![\w+])\(?\d(?:[\s().-]{0,2}\d){9,14}(?!\w)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Attributes every LogRecord has; anything else on a record came from `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def phi_redact(text: str) -> str:
    """Replace phone numbers (international or national) and e-mail addresses in a text."""
    text = _INTERNATIONAL.sub(REDACTED_PHONE, text)
    text = _EMAIL.sub(REDACTED_EMAIL, text)
    return _MAYBE_NATIONAL.sub(_phone_or_as_is, text)


def _phone_or_as_is(match: re.Match[str]) -> str:
    if _DATE.match(match.group(0)):
        return match.group(0)
    try:
        number = phonenumbers.parse(match.group(0), "US")
    except phonenumbers.NumberParseException:
        return match.group(0)
    return REDACTED_PHONE if phonenumbers.is_possible_number(number) else match.group(0)


class RedactingFormatter(logging.Formatter):
    """The plain `time level logger message` line, redacted (for a developer's terminal)."""

    def format(self, record: logging.LogRecord) -> str:
        return phi_redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields and the traceback, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key.startswith("_"):
                continue
            entry[key] = REDACTED_TEXT if key in TEXT_FIELDS else _plain(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return phi_redact(json.dumps(entry, default=str))


def _plain(value: object) -> object:
    """A value JSON can hold as is; anything else (a request, a model instance) by its type name only."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return type(value).__name__
