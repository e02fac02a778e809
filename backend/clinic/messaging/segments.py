"""How many SMS parts a text takes: the one answer the wording checks and the SMS sandbox both read.

GSM 03.38: a text made only of the GSM-7 basic table and its extension table is sent in 7-bit
septets, 160 in a single part or 153 per part of a longer one (the rest of each part is the
concatenation header); an extension-table character is an escape plus the character, two septets.
Any other character sends the whole text as UCS-2: 70 UTF-16 code units alone, 67 per part, a
character outside the Basic Multilingual Plane (most emoji) being two units. Neither an escape pair
nor a surrogate pair is split across two parts, so a part can hold one unit less than its size.
"""

from __future__ import annotations

from collections.abc import Iterable

# The 127 printable characters of the basic table (0x1B, the escape, is not a character of a text).
# Of Spanish letters only é É ñ Ñ ü Ü are here: á í ó ú Á Í Ó Ú make a text UCS-2 (à è ì ò ù are here).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table (form feed ^ { } \ [ ~ ] | €): two septets each.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# The longest text we send is three GSM-7 parts (459 characters). A UCS-2 text (an á, í, ó or ú, an
# emoji) holds 67 characters a part, so the same reading takes seven: the limit is the length a patient
# reads, and a Spanish text costs more parts than its English twin.
MAX_SEGMENTS_GSM7 = 3
MAX_SEGMENTS_UCS2 = 7

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67


def is_gsm7(text: str) -> bool:
    """True when the text can be sent in GSM-7 as it is (no character forces UCS-2)."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def sms_segments_allowed(text: str) -> int:
    """How many parts this text may take: three in GSM-7, seven once it is UCS-2 (about 459 characters)."""
    return MAX_SEGMENTS_GSM7 if is_gsm7(text) else MAX_SEGMENTS_UCS2


def sms_segments(text: str) -> int:
    """How many SMS parts the text takes (an empty text still takes one)."""
    if is_gsm7(text):
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        single, part = GSM7_SINGLE, GSM7_PART
    else:
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, part = UCS2_SINGLE, UCS2_PART
    if sum(costs) <= single:
        return 1
    return _parts(costs, part)


def _parts(costs: Iterable[int], part_size: int) -> int:
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part_size:
            parts, used = parts + 1, 0
        used += cost
    return parts
