"""The waitlist's texts (registered with messaging.wording.text_register; Spanish in this app's catalogue).

They carry the minimum: the clinic's short name, a date and time, the code to reply with. Never what the
session is for.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

WAITLIST_TEXTS: dict[str, Promise] = {
    "waitlist_offer": pgettext_lazy("sms", "{clinic}: A chair opened {date} at {time}. Reply YES {code} to take it."),
    "waitlist_booked": pgettext_lazy(
        "sms",
        "{clinic}: Thanks {first_name}, the time is yours: {date} at {time}. We will send a reminder before "
        "your visit.",
    ),
    "waitlist_moved": pgettext_lazy(
        "sms",
        "{clinic}: Thanks {first_name}, your visit is moved to {date} at {time}. We will send a reminder before it.",
    ),
    "waitlist_already": pgettext_lazy("sms", "{clinic}: That time is already yours: {date} at {time}. See you then."),
    "waitlist_taken": pgettext_lazy(
        "sms",
        "{clinic}: Sorry, that time was just taken. You stay on our waitlist, and we will text you when another "
        "time opens.",
    ),
    "waitlist_expired": pgettext_lazy(
        "sms",
        "{clinic}: Sorry, that offer has expired. You stay on our waitlist, and we will text you when another "
        "time opens.",
    ),
    "waitlist_unavailable": pgettext_lazy(
        "sms",
        "{clinic}: Sorry, that time is no longer available. You stay on our waitlist, and we will text you when "
        "another time opens.",
    ),
    "waitlist_declined": pgettext_lazy(
        "sms",
        "{clinic}: Thanks for letting us know. You stay on our waitlist, and we will text you when another time opens.",
    ),
    "waitlist_wrong_code": pgettext_lazy(
        "sms",
        "{clinic}: We could not match code {code} to an open offer. Please reply YES and the 4-digit code from "
        "our latest text, or call {clinic_phone}.",
    ),
}
