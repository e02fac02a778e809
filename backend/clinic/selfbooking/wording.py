"""The words self-booking adds to the acknowledgement: a text (registered with messaging) and an email paragraph."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

# Sent instead of the plain acknowledgement when times are offered; translated in this app's catalogue.
ACK_TEXT = "selfbooking_inquiry_ack"
ACK_WORDING = pgettext_lazy(
    "sms",
    "{clinic}: Hi {first_name}, we received your message. To choose a time for a first call with our team, "
    "open {link} (or we will contact you). Reply STOP to opt out.",
)
EMAIL_PARAGRAPH = pgettext_lazy("email", "You can also choose a time for a first call with our team now: {link}")
