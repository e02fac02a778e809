"""How many SMS segments a body takes: GSM-7 (160, or 153 per part) or UCS-2 (70, or 67 per part)."""

from __future__ import annotations

from collections.abc import Iterable

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters of the extension table: each is sent as an escape plus the character (two septets).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67


def body_is_gsm7(body: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in body)


def _parts(costs: Iterable[int], part_size: int) -> int:
    # An escape pair or a surrogate pair is never split across two parts.
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part_size:
            parts, used = parts + 1, 0
        used += cost
    return parts


def body_num_segments(body: str) -> int:
    if body_is_gsm7(body):
        costs = [2 if char in GSM7_EXTENSION else 1 for char in body]
        single, part = GSM7_SINGLE, GSM7_PART
    else:
        costs = [2 if ord(char) > 0xFFFF else 1 for char in body]
        single, part = UCS2_SINGLE, UCS2_PART
    if sum(costs) <= single:
        return 1
    return _parts(costs, part)


# Twilio's Smart Encoding: Unicode look-alikes replaced by GSM-7 characters, so a text stays GSM-7.
SMART_ENCODING = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\u2026": "...",  # horizontal ellipsis
        "\u00a0": " ",  # no-break space
        "\u2009": " ",
        "\u200a": " ",
        "\u202f": " ",
        "\u200b": "",  # zero-width space
        "\u00ab": '"',
        "\u00bb": '"',
    }
)


def body_smart_encoded(body: str) -> str:
    """Return the body as Twilio sends it with Smart Encoding on (look-alike characters made GSM-7)."""
    return body.translate(SMART_ENCODING)
