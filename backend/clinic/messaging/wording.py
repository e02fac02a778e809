"""The wording of every text we send, and the rules every wording must keep. Minimum necessary: first
name, clinic short name, how to reply. Never a diagnosis, a drug name or a specialty.

Each text is written in English here and translated like any other string of the product (context
"sms" in messaging/locale/<code>/LC_MESSAGES/django.po); a language without a translation of a text
sends the English. Clinic admins may reword any text in any language (`MessageTemplate`);
`text_problems` is what checks a wording, and texts.py picks and fills the wording a text goes out in.
"""

from __future__ import annotations

import re
import string

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from clinic.core.languages import LANGUAGE_DEFAULT
from clinic.core.text import accents_fold

from .segments import sms_segments, sms_segments_allowed

TEXTS: dict[str, Promise] = {
    "inquiry_ack": pgettext_lazy(
        "sms",
        "{clinic}: Hi {first_name}, we received your message and our care team will contact you "
        "within one business day. Reply HELP for help, STOP to opt out.",
    ),
    "help": pgettext_lazy(
        "sms", "{clinic}: for help call {clinic_phone}. Reply STOP to opt out of texts. Msg&data rates may apply."
    ),
    "opt_in": pgettext_lazy(
        "sms", "{clinic}: you will receive texts from us again. Reply STOP to opt out, HELP for help."
    ),
    # {date} and {time} name the zone when the patient's differs (scheduling/session_time.py), so the
    # reminder is kept short enough for the longest preparation instructions in three SMS parts.
    # The one confirmation allowed after an opt-out in plain words: nothing else, ever (FCC 24-18).
    "opt_out_confirm": pgettext_lazy(
        "sms", "{clinic}: you will not receive any more texts from us. Reply START to opt back in."
    ),
    "appointment_shared_number": pgettext_lazy(
        "sms",
        "{clinic}: this number is on file for more than one patient, so we have not changed any visit. "
        "Please call us at {clinic_phone} to tell us whose visit it is.",
    ),
    # {link} opens the session's own page (clinic.visitlinks): confirm, cancel, or pick another time.
    "appointment_reminder": pgettext_lazy(
        "sms",
        "{clinic}: Hi {first_name}, see you {date} at {time}. {preparation}Reply C to confirm. "
        "To change or cancel: {link}",
    ),
    "appointment_confirmed": pgettext_lazy(
        "sms", "{clinic}: Thanks {first_name}, you are confirmed for {date} at {time}."
    ),
    "appointment_confirmed_ride": pgettext_lazy(
        "sms",
        "{clinic}: Thanks {first_name}, you are confirmed for {date} at {time}. Please arrange an adult "
        "to drive you home and reply RIDE once you have.",
    ),
    "appointment_already_confirmed": pgettext_lazy(
        "sms", "{clinic}: You are already confirmed for {date} at {time}. See you then."
    ),
    "appointment_nothing_to_confirm": pgettext_lazy(
        "sms",
        "{clinic}: We could not find an upcoming visit to confirm for this number. "
        "Please call us at {clinic_phone} if you need help.",
    ),
    "appointment_reschedule_requested": pgettext_lazy(
        "sms",
        "{clinic}: Thanks, we will call you to find a new time for your visit on {date}. "
        "You can also call us at {clinic_phone}.",
    ),
    "appointment_nothing_to_reschedule": pgettext_lazy(
        "sms", "{clinic}: We could not find an upcoming visit for this number. Please call us at {clinic_phone}."
    ),
    "ride_confirmed": pgettext_lazy("sms", "{clinic}: Thanks for arranging your ride home for {date}. See you then."),
    "crisis": pgettext_lazy(
        "sms",
        "If you are thinking about hurting yourself or are in crisis, call or text 988 now "
        "(Suicide & Crisis Lifeline, 24/7). In an emergency call 911. "
        "We have let our clinical team know.",
    ),
    # Check-ins after a session (clinic.checkins). Answers are read forgivingly; see checkins/parsing.py.
    "checkin_home_safe": pgettext_lazy(
        "sms",
        "{clinic}: Hi {first_name}, checking in after your visit today. Are you home safe? "
        "Reply OK if you are, or CALL if you would like us to call you.",
    ),
    "checkin_mood": pgettext_lazy(
        "sms",
        "{clinic}: Hi {first_name}, how are you feeling today, from 0 (worst) to 10 (best)? Reply with one number.",
    ),
    "checkin_phq2_interest": pgettext_lazy(
        "sms",
        "{clinic}: Hi {first_name}, two short questions. Over the last 2 weeks, how often have you had little "
        "interest or pleasure in doing things? Reply 0 not at all, 1 several days, 2 more than half the days, "
        "3 nearly every day.",
    ),
    "checkin_phq2_down": pgettext_lazy(
        "sms",
        "Thanks. Over the last 2 weeks, how often have you felt down or hopeless? Reply 0 not at all, "
        "1 several days, 2 more than half the days, 3 nearly every day.",
    ),
    "checkin_follow_up": pgettext_lazy(
        "sms",
        "{clinic}: Hi {first_name}, just checking in again. When you have a moment, please reply to our last "
        "text. To talk to us, call {clinic_phone}.",
    ),
    "checkin_clarify_home_safe": pgettext_lazy(
        "sms",
        "Sorry, we did not catch that. Please reply OK once you are home safe, or CALL if you would like us to "
        "call you.",
    ),
    "checkin_clarify_mood": pgettext_lazy(
        "sms", "Sorry, we did not catch that. Please reply with one number from 0 (worst) to 10 (best)."
    ),
    "checkin_clarify_phq2": pgettext_lazy(
        "sms", "Sorry, we did not catch that. Please reply with one number: 0, 1, 2 or 3."
    ),
    "checkin_thanks": pgettext_lazy("sms", "Thank you, {first_name}. Your care team will see your answer."),
    "checkin_home_safe_thanks": pgettext_lazy(
        "sms", "Thank you, {first_name}, glad you are home. Rest well, and please do not drive until tomorrow."
    ),
    "checkin_home_not_safe": pgettext_lazy(
        "sms",
        "Thank you for telling us, {first_name}. Someone from our care team will call you soon. "
        "In an emergency call 911.",
    ),
    "checkin_thanks_concern": pgettext_lazy(
        "sms",
        "Thank you for telling us, {first_name}. Someone from our care team will be in touch. "
        "If you are in crisis, call or text 988; in an emergency call 911.",
    ),
    # To a number several patients share, when a reply could answer more than one patient's check-in.
    "checkin_shared_number": pgettext_lazy(
        "sms",
        "{clinic}: this number is on file for more than one patient, so we could not tell whose check-in "
        "this answers. Please call us at {clinic_phone}. If you are in crisis, call or text 988.",
    ),
    "checkin_to_staff": pgettext_lazy(
        "sms",
        "Thank you, {first_name}. Someone from our care team will read your message. "
        "If you are in crisis, call or text 988.",
    ),
    # To the on-call clinician: a link only, never the patient's name, number or words.
    "alert_on_call": pgettext_lazy("sms", "{clinic}: urgent patient alert. Please open {link}"),
    "alert_on_call_again": pgettext_lazy(
        "sms", "{clinic}: urgent patient alert still not acknowledged after {minutes} min. Please open {link}"
    ),
}


# Preparation instructions in another language than English (SessionType.preparation_translations):
# shorter, because a text with á, í, ó or ú holds 67 characters a part instead of 153.
PREPARATION_TRANSLATION_MAX_CHARS = 250
# What of them a reminder text carries, with its link, in three GSM-7 parts (English) or seven UCS-2 parts
# (another language): longer instructions are cut at a sentence or word, and the link's page shows them whole.
REMINDER_PREPARATION_MAX_CHARS = 225
REMINDER_PREPARATION_MAX_CHARS_TRANSLATED = 205
CUT_MARK = "..."


def preparation_for_text(preparation: str, language: str) -> str:
    """The preparation instructions as a reminder text carries them: whole when short enough, else cut at the
    last sentence (or word) that fits, marked with "..."."""
    translated = language != LANGUAGE_DEFAULT
    limit = REMINDER_PREPARATION_MAX_CHARS_TRANSLATED if translated else REMINDER_PREPARATION_MAX_CHARS
    preparation = preparation.strip()
    if len(preparation) <= limit:
        return preparation
    room = preparation[: limit - len(CUT_MARK) - 1]
    sentence_end = max(room.rfind(". "), room.rfind("! "), room.rfind("? "))
    if sentence_end >= limit // 2:  # whole sentences, when they say most of it
        return f"{room[: sentence_end + 1]} {CUT_MARK}"
    word_end = room.rfind(" ")
    return (room[:word_end] if word_end > 0 else room).rstrip(" ,;:") + CUT_MARK


class StrictFormatter(string.Formatter):
    """Fills {placeholders}; a placeholder without a value is an error, never a blank."""

    def get_value(self, key: int | str, args: object, kwargs: dict[str, object]) -> object:  # type: ignore[override]
        if not isinstance(key, str) or key not in kwargs:
            raise KeyError(f"Text template needs a value for {{{key}}}.")
        return kwargs[key]


# Words no text may carry (HIPAA minimum necessary): drug names, diagnoses, the specialty, in every
# language we write in. Matched without accents and case: "depresion" is "depresión".
FORBIDDEN_WORDS = (
    "ketamine",
    "esketamine",
    "spravato",
    "ketalar",
    "depression",
    "depressed",
    "anxiety",
    "ptsd",
    "ocd",
    "bipolar",
    "psychosis",
    "schizophrenia",
    "chronic pain",
    "diagnosis",
    "psychiatric",
    "psychiatry",
    # Spanish
    "ketamina",
    "esketamina",
    "depresion",
    "deprimido",
    "deprimida",
    "ansiedad",
    "tept",
    "toc",
    "psicosis",
    "esquizofrenia",
    "dolor cronico",
    "diagnostico",
    "psiquiatrico",
    "psiquiatrica",
    "psiquiatria",
)
_FORBIDDEN = re.compile(r"\b(" + "|".join(re.escape(word) for word in FORBIDDEN_WORDS) + r")\b", re.IGNORECASE)
# What a reworded text must still say, in every language.
REQUIRED_PHRASES: dict[str, tuple[str, ...]] = {"crisis": ("988", "911"), "help": ("STOP",)}

# A link in a text is the public address and a short path with a random token (no name, no id).
SAMPLE_LINK = "https://appointments.example-clinic-group.com/v/AbCdEfGhIjKlMnOpQrStUv"

# Long but realistic values, so a wording is measured as its longest likely text. A language without
# its own samples is measured with the English ones.
SAMPLE_VALUES: dict[str, dict[str, str]] = {
    "en": {
        "clinic": "X" * 30,
        "first_name": "Alexandrina",
        "clinic_phone": "+16175550100",
        "date": "Wednesday, September 30",
        "time": "11:45 AM ET (10:45 AM your time)",  # a patient in another zone than the clinic's
        # SessionType.preparation_instructions holds 300 at most; a reminder carries this much of it
        "preparation": "P" * REMINDER_PREPARATION_MAX_CHARS + " ",
        "link": SAMPLE_LINK,
    },
    "es": {
        "clinic": "X" * 30,
        "first_name": "María Fernanda",  # an accent makes the whole text UCS-2 (67 characters a part)
        "clinic_phone": "+16175550100",
        "date": "miércoles, 30 de septiembre",
        "time": "11:45 AM ET (10:45 AM en su zona)",
        "preparation": "P" * REMINDER_PREPARATION_MAX_CHARS_TRANSLATED + " ",
        "link": SAMPLE_LINK,
    },
}


def text_register(*, name: str, wording: Promise) -> None:
    """Add a text written by an app above messaging (from its AppConfig.ready()).

    Its wording is a `pgettext_lazy("sms", ...)` translated in that app's own catalogue; once added it is
    checked, reworded and sent like every text here.
    """
    if name in TEXTS and str(TEXTS[name]) != str(wording):
        raise ValueError(f"A different text is already named {name!r}.")
    TEXTS[name] = wording


def text_default(name: str, language: str = LANGUAGE_DEFAULT) -> str:
    """The named text as shipped, in `language`: its translation, else the English."""
    with translation.override(language):
        return str(TEXTS[name])


def placeholders_of(body: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(body) if field is not None}


def forbidden_words_in(text: str) -> list[str]:
    return sorted({match.group(0).lower() for match in _FORBIDDEN.finditer(accents_fold(text, compatibility=True))})


def text_problems(name: str, body: str, language: str = LANGUAGE_DEFAULT) -> list[str]:
    """What is wrong with a wording of the named text in `language`: unknown placeholders, forbidden
    words, missing phrases, length (counted as it will be sent: a Spanish á makes the text UCS-2)."""
    try:
        used = placeholders_of(body)
    except ValueError as exc:
        return [f"The braces do not match: {exc}."]
    problems: list[str] = []
    allowed = placeholders_of(text_default(name))
    unknown = sorted(used - allowed)
    if unknown:
        problems.append(
            "Unknown placeholders: "
            + ", ".join("{" + field + "}" for field in unknown)
            + ". This text can use: "
            + (", ".join("{" + field + "}" for field in sorted(allowed)) or "none")
            + "."
        )
    missing = [phrase for phrase in REQUIRED_PHRASES.get(name, ()) if phrase not in body]
    if missing:
        problems.append("This text must keep: " + ", ".join(missing) + ".")
    forbidden = forbidden_words_in(body)
    if forbidden:
        problems.append("Texts must not name a drug or a diagnosis: remove " + ", ".join(forbidden) + ".")
    if not unknown:
        samples = SAMPLE_VALUES.get(language, SAMPLE_VALUES[LANGUAGE_DEFAULT])
        sample = body.format(**{field: samples.get(field, "X" * 20) for field in used})
        segments, allowed_segments = sms_segments(sample), sms_segments_allowed(sample)
        if segments > allowed_segments:
            problems.append(
                f"Too long: with long names it takes {segments} SMS parts; at most {allowed_segments}"
                + (" (it is sent as UCS-2 because of its accents or symbols)." if allowed_segments > 3 else ".")
            )
    return problems
