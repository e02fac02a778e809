"""The text this app sends: the answer to "R" or "can we move it" when the session has a link."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

VISIT_LINK_TEXTS = {
    "visit_link_reschedule": pgettext_lazy(
        "sms", "{clinic}: Pick a new time for your visit on {date} here: {link} or call us at {clinic_phone}."
    ),
}
