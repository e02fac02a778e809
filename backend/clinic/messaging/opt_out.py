"""Recognising "stop texting me" in plain words, in English and Spanish.

Since the FCC's 2024 rule (order 24-18) consent may be revoked by any words a reasonable person reads
as "stop texting me", not only by STOP. Twilio blocks and confirms only its own single keywords; the
rest is ours to recognise, honour at once, and confirm with one text.

The patterns look for the request itself (a verb of stopping or refusing aimed at texts or at us
texting), so that "I can't stop crying", "stop by tomorrow?" or "cancel my appointment" are not
opt-outs. A request to stop one kind of text ("stop the reminders") is honoured as an opt-out from
all texts: we keep no per-kind consent, and texting someone who asked us to stop is the worse error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Twilio's own opt-out keywords: Twilio blocks the number and confirms by itself.
TWILIO_OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
# Single words Twilio does not act on, which we honour and confirm ourselves.
OWN_OPT_OUT_WORDS = frozenset({"BAJA", "PARAR", "ALTO", "DETENER", "BASTA", "UNSUSCRIBIR", "DESUSCRIBIR"})
SPANISH_WORDS = frozenset({"BAJA", "PARAR", "ALTO", "DETENER", "BASTA", "UNSUSCRIBIR", "DESUSCRIBIR"})

_TEXTS = r"(?:texts?|texting|text messages?|messages?|msgs?|sms|reminders?|notifications?|alerts?)"
_US_TEXTING = r"(?:text|texting|txt|txting|message|messaging|msg|sms|contact|contacting|send|sending)"

ENGLISH_PATTERNS = (
    # "stop texting me", "please stop sending me messages", "quit messaging me", "stop contacting me"
    rf"\b(?:stop|quit|cease|end)\s+(?:all\s+)?(?:the\s+)?{_US_TEXTING}\b(?:\s+(?:me|us|this number|my number))?",
    # "stop the reminders", "stop all texts", "end these messages"
    rf"\b(?:stop|quit|cease|end|cancel)\s+(?:all\s+|the\s+|these\s+|those\s+|your\s+|any\s+|this\s+)*{_TEXTS}\b",
    # "don't text me anymore", "do not message me", "please dont send me texts"
    rf"\b(?:do\s*not|dont|don't|never)\s+{_US_TEXTING}\s+(?:me|us|this number|my number)\b",
    rf"\b(?:do\s*not|dont|don't|never)\s+send\s+(?:me\s+)?(?:any\s+more\s+|anymore\s+|more\s+|any\s+)?{_TEXTS}\b",
    # "no more messages", "no more texts please"
    rf"\bno\s+(?:more|further)\s+{_TEXTS}\b",
    # "remove me from your list", "take me off", "remove my number", "delete my number"
    r"\b(?:remove|delete|erase)\s+(?:me|my\s+(?:phone\s+|cell\s+)?number)\b",
    r"\b(?:take|drop|get)\s+(?:me|my\s+(?:phone\s+|cell\s+)?number)\s+off\b",
    # "unsubscribe me", "please unsubscribe", "opt me out", "opt-out"
    r"\bunsubscribe\b",
    r"\bopt\s*(?:me\s+)?-?\s*out\b",
    # "I don't want texts", "I do not want any more messages", "I no longer want to receive texts"
    rf"\b(?:do\s*not|dont|don't|no\s+longer)\s+want\s+(?:to\s+(?:get|receive)\s+)?(?:any\s+)?(?:more\s+)?{_TEXTS}\b",
    # "leave me off your list", "I want to stop receiving texts"
    rf"\bstop\s+(?:getting|receiving)\s+(?:these\s+|the\s+|your\s+)?{_TEXTS}\b",
)

# Commands only ("no me manden"), never a past tense ("no me mandaron la direccion").
_ES_DONT = (
    r"(?:manden|mandes|mande|envien|envies|envie|escriban|escribas|escriba"
    r"|texteen|textees|textee|contacten|contactes|contacte)"
)
_ES_TEXTS = r"(?:mensajes?|textos?|msjs?|sms|recordatorios?|notificaciones?)"

SPANISH_PATTERNS = (
    # "no me manden más mensajes", "no me escriban", "no me envíen textos", "no me sigan escribiendo"
    rf"\bno\s+me\s+{_ES_DONT}\b",
    r"\bno\s+me\s+sig\w+\s+(?:mandando|enviando|escribiendo|texteando|contactando)\b",
    # "dejen de escribirme", "deja de mandarme mensajes", "dejen de enviar mensajes"
    r"\bdej\w*\s+de\s+(?:mand|envi|escrib|textea|contact|molest)\w*me\b",
    rf"\bdej\w*\s+de\s+(?:mandar|enviar)\s+(?:\w+\s+)?{_ES_TEXTS}\b",
    # "ya no quiero recibir mensajes", "no quiero más mensajes"
    rf"\bno\s+quiero\s+(?:recibir\s+)?(?:mas\s+)?(?:sus\s+|los\s+|estos\s+)?{_ES_TEXTS}\b",
    # "no más mensajes"
    rf"\bno\s+mas\s+{_ES_TEXTS}\b",
    # "quítenme de la lista", "sáquenme de su lista", "borren mi número"
    r"\b(?:quit|saqu|sac|borr|elimin)\w*me\s+de\s+(?:la\s+|su\s+|sus\s+|esta\s+|tu\s+)?lista\b",
    r"\b(?:quit|borr|elimin)\w*\s+mi\s+(?:numero|telefono|celular)\b",
    # "denme de baja", "darme de baja", "quiero dar de baja"
    r"\b(?:dar|den|de|darme|denme|deme)\s+(?:me\s+)?de\s+baja\b",
    # "cancelar los mensajes", "paren los mensajes", "detener los textos"
    rf"\b(?:cancelar|cancelen|cancela|parar|paren|para|detener|detengan|deten)\s+"
    rf"(?:los\s+|las\s+|estos\s+|sus\s+|todos\s+los\s+)?{_ES_TEXTS}\b",
)

_COMPILED = [(re.compile(pattern), "en") for pattern in ENGLISH_PATTERNS] + [
    (re.compile(pattern), "es") for pattern in SPANISH_PATTERNS
]


@dataclass(frozen=True)
class OptOutRequest:
    """What was recognised: the words themselves, whether Twilio acts on them too, and their language."""

    phrase: str
    twilio_keyword: bool
    language: str


def _normalized(body: str) -> str:
    """Lower case, accents and curly quotes folded, punctuation other than apostrophes and hyphens dropped."""
    text = unicodedata.normalize("NFKD", body.replace("\u2019", "'").replace("\u2018", "'"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"[^\w\s'-]", " ", text)
    return " ".join(text.split())


def opt_out_request_in(body: str) -> OptOutRequest | None:
    """Return the opt-out a text asks for, or None if it asks for none."""
    text = _normalized(body)
    words = text.replace("'", "").split()
    if len(words) == 1:
        word = words[0].upper()
        if word in TWILIO_OPT_OUT_WORDS:
            return OptOutRequest(phrase=word, twilio_keyword=True, language="en")
        if word in OWN_OPT_OUT_WORDS:
            return OptOutRequest(phrase=word, twilio_keyword=False, language="es" if word in SPANISH_WORDS else "en")
    for pattern, language in _COMPILED:
        match = pattern.search(text)
        if match:
            return OptOutRequest(phrase=match.group(0).strip(), twilio_keyword=False, language=language)
    return None


def opt_out_requests_blanked(text: str) -> str:
    """The text (lower case, accents folded) with every opt-out request in it replaced by "_"."""
    for pattern, _language in _COMPILED:
        text = pattern.sub(" _ ", text)
    return text
