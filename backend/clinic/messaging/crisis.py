"""Crisis language in a patient's text. Checked before every other route; a match is never missed lightly.

The list errs on the side of flagging: "I'm not suicidal" is flagged too, and a clinician decides.
It does not flag figures of speech that only borrow the words ("I'm dying to come back", "my back
is killing me", "to die for"): those would page a clinician at 3 a.m. for nothing. The table of
phrasings both ways lives in tests/checkins/test_crisis_detector.py; add to it with every change.
"""

from __future__ import annotations

import re

# "myself" and its common misspellings ("my self", "mysef", "myslef"), but not "my self-esteem".
_SELF = r"(?:my\s*-?\s*s[el]{1,3}f|meself|mself)\b(?![\s-]*(?:esteem|worth|confidence|respect|image|care))"
# Wanting to die. Not "going to die": "I'm going to die of embarrassment" is no reason to page anyone.
_WANT = r"(?:want(?:ed|s|ing)?|wanna|wish|ready|plan(?:ning)?|deserve|thinking\s+(?:of|about))"
_HARM_VERB = (
    r"(?:hurt(?:s|ing)?|harm(?:s|ed|ing)?|cut(?:s|ting)?|burn(?:s|ed|t|ing)?|hang(?:s|ed|ing)?|hung|"
    r"shoot(?:s|ing)?|stab(?:s|bed|bing)?|drown(?:s|ed|ing)?|poison(?:s|ed|ing)?|starv(?:e|es|ed|ing))"
)

CRISIS_PATTERNS = (
    # suicide, suicidal and misspellings (sucide, suicdal, suiside, suicidle), and the slang for it
    r"\bs+u+[iy1!]*[cs]+[iy1!]*d",
    r"\bsewer\s*slide",
    r"\bun-?\s*alive",
    # kill myself, killing my self, kil myself; "kms" (but not "5 kms")
    rf"\bkil+(?:l|ing|ed|s)?\s+{_SELF}",
    r"(?<![\d.])(?<!\d\s)\bkms\b",
    # ending one's life
    r"\bend(?:ing)?\s+(?:it\s+all|my\s+(?:own\s+)?life|everything)\b",
    rf"\b(?:{_WANT}|going|gonna)\s+(?:to\s+|2\s+)?end(?:ing)?\s+it\b(?!\s+(?:with|early|at|here|now\s+and))",
    r"\btak(?:e|ing)\s+my\s+(?:own\s+)?life\b(?!\s+back)",
    # wanting to die, or to be dead
    rf"\b{_WANT}\s+(?:to\s+|2\s+)?(?:just\s+)?d+i+e+\b",
    r"\bwish\s+(?:i|id|i'd)\s+(?:was|were|could\s+be|had\s+been)\s+dead\b",
    r"\bwish\s+i\s+(?:could|would)\s+(?:just\s+)?(?:die|not\s+wake\s+up|disappear\s+forever)\b",
    r"\bwish\s+i\s+(?:was|were|had)\s+never\s+(?:been\s+)?born\b",
    r"\bbetter\s+off\s+(?:dead|without\s+me)\b|\brather\s+be\s+dead\b",
    r"\bdo(?:n'?t|\s+not)\s+(?:want\s+to|wanna)\s+(?:live|be\s+alive|exist|wake\s+up|be\s+here\s+anymore|go\s+on)\b",
    r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|go(?:ing)?\s+on|being\s+alive)\b",
    r"\bnothing\s+(?:left\s+)?to\s+live\s+for\b",
    r"\b(?:not|isn'?t|ain'?t)\s+worth\s+living\b",
    r"\b(?:tired\s+of|done\s+with)\s+(?:living|being\s+alive|life)\b",
    r"\bcan(?:'?t|not)\s+go\s+on(?:\s+(?:anymore|any\s+more|like\s+this|living)|\s*[.!]*$)",
    # harming oneself
    rf"\b{_HARM_VERB}\s+{_SELF}(?!\s+(?:some\s+slack|slack|a\s+(?:slice|piece|break)))",
    r"\bself[\s-]*(?:harm|injur|mutilat)",
    r"\bslit(?:ting)?\s+my\s+wrists?\b",
    r"\bjump(?:ing)?\s+off\s+(?:a|the|of\s+a)\s+(?:bridge|building|roof|cliff|balcony)\b",
    # overdose, OD, a bottle of pills
    r"\bover\s*-?\s*do[sz]+(?:e|ed|es|ing)?\b",
    r"\b(?:gonna|going\s+to|want\s+to|wanna|might|could|will|about\s+to|just|i'?ll|to)\s+o\.?d\b"
    r"(?!\s*(?:appointment|visit|office))",
    r"\bo\.?d'd\b|\bod(?:ed|ing)\b|\bo\.?d\s+on\b",
    r"\b(?:take|took|taking|swallow(?:ed|ing)?)\s+(?:a\s+(?:whole\s+)?bottle|a\s+handful|the\s+whole\s+bottle)\s+of\b",
    r"\ball\s+(?:my|the|of\s+my)\s+(?:pills|meds|tablets)\s+at\s+once\b",
    # Spanish, the most common other language among patients
    r"\bquiero\s+morir|\bmatarme\b|\bme\s+quiero\s+matar",
)
_CRISIS = re.compile("|".join(f"(?:{p})" for p in CRISIS_PATTERNS), re.IGNORECASE)


def _normalize(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(text.split())


def crisis_language_in(text: str) -> bool:
    """True if the text contains language that may signal a risk of self-harm."""
    return bool(_CRISIS.search(_normalize(text)))
