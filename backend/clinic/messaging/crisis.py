"""Crisis language in a patient's text. Checked before every other route; a match is never missed lightly.

The list errs on the side of flagging: "I'm not suicidal" is flagged too, and a clinician decides.
"""

from __future__ import annotations

import re

CRISIS_PATTERNS = (
    r"su[i1!]?c[i1!]?d",  # suicide, suicidal, sucide, suicde
    r"su[i1]s[i1]de",
    r"kill(ing)?\s*(my\s*self|myself|me\b)",
    r"\bkms\b",
    r"end(ing)?\s+(it\s+all|my\s+life|things|it)\b",
    r"take\s+my\s+(own\s+)?life",
    r"want(ed)?\s+to\s+die",
    r"wanna\s+die",
    r"better\s+off\s+dead",
    r"no\s+reason\s+to\s+live",
    r"don'?t\s+want\s+to\s+(live|be\s+here|wake\s+up)",
    r"hurt(ing)?\s+(my\s*self|myself)",
    r"harm(ing)?\s+(my\s*self|myself)",
    r"self[\s-]?harm",
    r"cut(ting)?\s+(my\s*self|myself)",
    r"over\s?dos",
    r"\bod\b",
)
_CRISIS = re.compile("|".join(f"(?:{p})" for p in CRISIS_PATTERNS), re.IGNORECASE)


def crisis_language_in(text: str) -> bool:
    """True if the text contains language that may signal a risk of self-harm."""
    return bool(_CRISIS.search(" ".join(text.split())))
