from __future__ import annotations

import json
import logging
import sys

import pytest

from clinic.core.log_format import JsonFormatter, RedactingFormatter, phi_redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("sms to +16175550142 failed", "sms to [phone] failed"),
        ("call (617) 555-0142 back", "call [phone] back"),
        ("number 617-555-0142", "number [phone]"),
        ("number 617.555.0142", "number [phone]"),
        ("raw 6175550142", "raw [phone]"),
        ("uk +44 20 7946 0958", "uk [phone]"),
        ("Key (phone)=(+16175550142) already exists", "Key (phone)=([phone]) already exists"),
        ("from jane.doe+clinic@example.org", "from [email]"),
        # What must survive: dates, times, ids, Twilio SIDs, counts.
        ("reminder at 2026-12-01 10:00:00.123", "reminder at 2026-12-01 10:00:00.123"),
        ("sms SM0123456789abcdef0123456789abcdef delivered", "sms SM0123456789abcdef0123456789abcdef delivered"),
        ("outbox 1234 attempt 3 of 6", "outbox 1234 attempt 3 of 6"),
    ],
)
def test_phone_numbers_and_emails_are_redacted_and_nothing_else(line: str, expected: str) -> None:
    assert phi_redact(line) == expected


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("clinic.test", logging.WARNING, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_json_lines_carry_extra_fields_but_drop_written_texts() -> None:
    line = JsonFormatter().format(record("sms %s to %s", 7, "+16175550142", body="I feel awful", appointment_id=3))
    entry = json.loads(line)
    assert entry["message"] == "sms 7 to [phone]"
    assert entry["level"] == "WARNING" and entry["logger"] == "clinic.test"
    assert entry["appointment_id"] == 3
    assert entry["body"] == "[redacted]"
    assert "awful" not in line


def test_a_traceback_is_redacted_too() -> None:
    try:
        raise ValueError("duplicate phone +16175550142")
    except ValueError:
        entry = record("failed")
        entry.exc_info = sys.exc_info()
    assert "[phone]" in JsonFormatter().format(entry)
    assert "+16175550142" not in RedactingFormatter("%(message)s").format(entry)
