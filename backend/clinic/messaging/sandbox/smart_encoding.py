"""Twilio's Smart Encoding as the sandbox applies it (segments are counted by clinic.messaging.segments)."""

from __future__ import annotations

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
