"""The two texts a questionnaire sends: the link, and one reminder. A link and a first name, nothing else:
no instrument, no score, no diagnosis (messaging's wording checks enforce it)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from clinic.messaging.wording import text_register

QUESTIONNAIRE_LINK = "questionnaire_link"
QUESTIONNAIRE_REMINDER = "questionnaire_reminder"

TEXTS = {
    QUESTIONNAIRE_LINK: pgettext_lazy(
        "sms", "{clinic}: Hi {first_name}, your care team has a few short questions for you. Please answer here: {link}"
    ),
    QUESTIONNAIRE_REMINDER: pgettext_lazy(
        "sms", "{clinic}: Hi {first_name}, a reminder: your care team's few short questions are waiting here: {link}"
    ),
}


def texts_register() -> None:
    for name, wording in TEXTS.items():
        text_register(name=name, wording=wording)
