"""The wording of every email: a subject and a plain-text body; the HTML part is built from the same words.

The same minimum-information rule as texts (texts.forbidden_words_in): no drug name, no diagnosis. Every
email ends with the same footer: nobody reads replies (nor watches this address at night), how to get
help at once, and the unsubscribe link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import pgettext_lazy

from ..wording import forbidden_words_in

# Translated like the texts (context "email" in messaging/locale/<code>/LC_MESSAGES/django.po).
EMAILS: dict[str, tuple[Promise, Promise]] = {
    "inquiry_ack": (
        pgettext_lazy("email", "{clinic}: we received your message"),
        pgettext_lazy(
            "email",
            "Hi {first_name},\n\nWe received your message. Our care team will contact you within one business day.",
        ),
    ),
    "appointment_reminder": (
        pgettext_lazy("email", "{clinic}: your visit on {date}"),
        pgettext_lazy(
            "email",
            "Hi {first_name},\n\nThis is a reminder of your visit {date} at {time}.\n\n{preparation}"
            "To confirm or to change the time, please call us at {clinic_phone}.",
        ),
    ),
}

FOOTER = pgettext_lazy(
    "email",
    "Replies to this address are not read, and nobody watches it at night. "
    "If you are in crisis, call or text 988 (Suicide & Crisis Lifeline, 24/7). In an emergency, call 911. "
    "Otherwise call the clinic at {clinic_phone}.",
)
UNSUBSCRIBE_LINE = pgettext_lazy("email", "To stop receiving emails from {clinic}: {url}")


class EmailWordingError(ValueError):
    """An email would carry words the minimum-information rule forbids."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def email_render_content(name: str, *, language: str, **values: str) -> tuple[str, str]:
    """The subject and main text of the named email in `language` (without the footer), checked for forbidden words."""
    subject_wording, body_wording = EMAILS[name]
    with translation.override(language):
        subject, body = str(subject_wording).format(**values), str(body_wording).format(**values)
    _check(subject, body)
    return subject, body


def email_compose(
    *, subject: str, body: str, clinic: str, clinic_phone: str, unsubscribe_url: str, language: str
) -> RenderedEmail:
    """The whole email as sent: the body, the footer and the unsubscribe link, in plain text and in HTML."""
    with translation.override(language):
        footer = str(FOOTER).format(clinic_phone=clinic_phone)
        unsubscribe_text = str(UNSUBSCRIBE_LINE).format(clinic=clinic, url=unsubscribe_url)
        unsubscribe_html = str(UNSUBSCRIBE_LINE).format(
            clinic=escape(clinic), url=f'<a href="{escape(unsubscribe_url)}">{escape(unsubscribe_url)}</a>'
        )
    text = f"{body.rstrip()}\n\n--\n{footer}\n\n{unsubscribe_text}\n"
    paragraphs = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in body.strip().split("\n\n") if p)
    html = (
        f'<!doctype html><html lang="{escape(language)}"><body style="font-family: sans-serif; color: #1b1b1b">'
        f"{paragraphs}<hr>"
        f'<p style="font-size: 90%">{escape(footer)}</p><p style="font-size: 90%">{unsubscribe_html}</p>'
        "</body></html>"
    )
    _check(subject, text, html)
    return RenderedEmail(subject=subject, text=text, html=html)


def _check(*parts: str) -> None:
    forbidden = sorted({word for part in parts for word in forbidden_words_in(part)})
    if forbidden:
        raise EmailWordingError("Emails must not name a drug or a diagnosis: " + ", ".join(forbidden))
