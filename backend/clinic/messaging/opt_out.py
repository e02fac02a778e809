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
from dataclasses import dataclass

from clinic.core.text import accents_fold, quotes_straighten

from .language_guess import text_language_guess

# Twilio's own opt-out keywords: Twilio blocks the number and confirms by itself.
TWILIO_OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
# Single words Twilio does not act on, which we honour and confirm ourselves. CANCELAR is CANCEL's
# Spanish: alone, it is the keyword (as CANCEL is); "cancelar mi cita" is about a visit, not texts.
SPANISH_WORDS = frozenset(
    {
        "BAJA",
        "PARAR",
        "PAREN",
        "ALTO",
        "DETENER",
        "DETENGAN",
        "BASTA",
        "CANCELAR",
        "UNSUSCRIBIR",
        "DESUSCRIBIR",
        "DESUSCRIBIRME",
        "DESUSCRIBIRSE",
    }
)
OWN_OPT_OUT_WORDS = SPANISH_WORDS
# A keyword with nothing but courtesy around it ("STOP please", "baja por favor", "parar gracias") is the
# request too, though Twilio acts only on the bare word. Not CANCEL, CANCELAR or END: "cancel please",
# sent in answer to a reminder, may be about the visit (it reaches staff in the inbox).
_POLITE_KEYWORDS = (TWILIO_OPT_OUT_WORDS | OWN_OPT_OUT_WORDS) - {"CANCEL", "CANCELAR", "END"}
_COURTESY = re.compile(
    r"\b(?:please|pls|plz|thanks|thank\s*you|thx|ok|okay|now|right\s+now|por\s*favor|porfa|xfa|gracias|ya|ahora)\b"
)

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
    # Commands only: "dejaron de mandarme los recordatorios?" asks why they stopped.
    r"\bdej(?:en|a|e|ar)\s+de\s+(?:mand|envi|escrib|textea|contact|molest)\w*me\b",
    rf"\bdej(?:en|a|e|ar)\s+de\s+(?:mandar|enviar)\s+(?:\w+\s+)?{_ES_TEXTS}\b",
    # "ya no quiero recibir mensajes", "no quiero más mensajes"
    rf"\bno\s+quiero\s+(?:recibir\s+)?(?:mas\s+)?(?:sus\s+|los\s+|estos\s+)?{_ES_TEXTS}\b",
    # "no más mensajes"
    rf"\bno\s+mas\s+{_ES_TEXTS}\b",
    # "quítenme de la lista", "sáquenme de su lista", "borren mi número"
    r"\b(?:quit|saqu|sac|borr|elimin)\w*me\s+de\s+(?:la\s+|su\s+|sus\s+|esta\s+|tu\s+)?lista\b",
    r"\b(?:quit|borr|elimin)\w*\s+mi\s+(?:numero|telefono|celular)\b",
    # "denme de baja", "darme de baja", "quiero dar de baja"
    r"\b(?:dar|den|de|darme|denme|deme|dame|darse|doy|darnos|denos)\s+(?:me\s+)?de\s+baja\b",
    # "cancelar los mensajes", "paren los mensajes", "detener los textos"
    rf"\b(?:cancelar|cancelen|cancela|parar|paren|para|detener|detengan|deten)\s+"
    rf"(?:los\s+|las\s+|estos\s+|sus\s+|todos\s+los\s+)?{_ES_TEXTS}\b",
    # "no quiero que me manden mensajes", "ya no quiero que me escriban"
    rf"\bno\s+(?:quiero|deseo)\s+que\s+me\s+(?:sigan\s+)?{_ES_DONT}\b",
    # "no me vuelvan a escribir", "no me vuelvas a mandar mensajes"
    r"\bno\s+me\s+vuelv\w*\s+a\s+(?:mandar|enviar|escribir|textear|contactar)\b",
    # "no deseo recibir más mensajes", "ya no deseo mensajes"
    rf"\bno\s+deseo\s+(?:recibir\s+)?(?:mas\s+)?(?:sus\s+|los\s+|estos\s+)?{_ES_TEXTS}\b",
    # "quiero dejar de recibir mensajes", "quisiera dejar de recibir sus textos" (not "dejé de recibir...?")
    rf"\b(?:quiero|quisiera|deseo|gustaria|prefiero|necesito)\s+dejar\s+de\s+recibir\s+(?:\w+\s+)?{_ES_TEXTS}\b",
    # "paren de escribirme", "para de mandarme mensajes", "paren de mandar mensajes"
    r"\b(?:paren|para|pare|parar)\s+de\s+(?:mand|envi|escrib|textea|contact|molest)\w*me\b",
    rf"\b(?:paren|para|pare|parar)\s+de\s+(?:mandar|enviar)\s+(?:\w+\s+)?{_ES_TEXTS}\b",
    # "cancelar mi suscripción", "quiero desuscribirme", "bórrenme", "elimínenme"
    r"\b(?:cancel|anul|termin)\w*\s+(?:mi\s+|la\s+|su\s+)?suscripcion\b",
    r"\b(?:desuscrib|dessuscrib|desubscrib|desinscrib)\w*",
    r"\b(?:borr|elimin)\w*enme\b",
)

_COMPILED = [(re.compile(pattern), "en") for pattern in ENGLISH_PATTERNS] + [
    (re.compile(pattern), "es") for pattern in SPANISH_PATTERNS
]


@dataclass(frozen=True)
class OptOutRequest:
    """What was recognised: the words themselves, whether Twilio acts on them too, and their language."""

    phrase: str
    twilio_keyword: bool
    language: str  # "" when the words do not tell: the answer is then in the sender's language


def _normalized(body: str) -> str:
    """Lower case, accents and curly quotes folded, punctuation other than apostrophes and hyphens dropped."""
    text = accents_fold(quotes_straighten(body), compatibility=True).lower()
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
            return OptOutRequest(phrase=word, twilio_keyword=False, language="es")
    bare = set(_COURTESY.sub(" ", text.replace("'", "")).upper().split())
    if len(bare) == 1 and len(words) > 1 and (word := bare.pop()) in _POLITE_KEYWORDS:
        # "STOP por favor" is written in Spanish, "stop please" in English: the confirmation follows the words.
        language = text_language_guess(body) or ("es" if word in SPANISH_WORDS else "")
        return OptOutRequest(phrase=text, twilio_keyword=False, language=language)
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
