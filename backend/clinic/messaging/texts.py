"""The wording of every text we send. Minimum necessary: first name, clinic short name, how to reply.

Never a diagnosis, a drug name or a specialty. Placeholders are filled by `text_render`.
"""

from __future__ import annotations

import string

TEXTS: dict[str, str] = {
    "inquiry_ack": (
        "{clinic}: Hi {first_name}, we received your message and our care team will contact you "
        "within one business day. Reply HELP for help, STOP to opt out."
    ),
    "help": "{clinic}: for help call {clinic_phone}. Reply STOP to opt out of texts. Msg&data rates may apply.",
    "opt_in": "{clinic}: you will receive texts from us again. Reply STOP to opt out, HELP for help.",
    "crisis": (
        "If you are thinking about hurting yourself or are in crisis, call or text 988 now "
        "(Suicide & Crisis Lifeline, 24/7). In an emergency call 911. "
        "We have let our clinical team know."
    ),
}


class _StrictFormatter(string.Formatter):
    def get_value(self, key: int | str, args: object, kwargs: dict[str, object]) -> object:  # type: ignore[override]
        if not isinstance(key, str) or key not in kwargs:
            raise KeyError(f"Text template needs a value for {{{key}}}.")
        return kwargs[key]


def text_render(name: str, **values: object) -> str:
    """Fill the named text's placeholders; a missing value is an error, never a blank."""
    return _StrictFormatter().format(TEXTS[name], **values)
