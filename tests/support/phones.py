"""Phone numbers for tests and benchmarks, in E.164: Boston (617) numbers, most in the 555 exchange films use.

Texts to them only ever reach the SMS sandbox or a stand-in for Twilio.
"""

from __future__ import annotations

PHONE = "+16175550142"  # the patient most tests text as
OTHER_PHONE = "+16175550143"
ON_CALL = "+16175550199"  # the clinic's on-call clinician
CLINIC_PHONE = "+16175550100"

# Exchanges (the three digits after 617) that keep kinds of numbers apart, so a sequence of one never
# meets a number of the other.
INQUIRIES, PATIENTS, BATCHES = 555, 556, 557


def phone_number(n: int, *, exchange: int = INQUIRIES) -> str:
    """The n-th number of an exchange, wrapping after 9,999: phone_number(42) == "+16175550042"."""
    return f"+1617{exchange:03d}{n % 10_000:04d}"


def phone_numbers(count: int, *, first: int = 0, exchange: int = INQUIRIES) -> list[str]:
    """`count` numbers of an exchange from the `first`-th on."""
    return [phone_number(n, exchange=exchange) for n in range(first, first + count)]
