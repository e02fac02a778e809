from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def phone_to_e164(raw: str, *, region: str | None = None) -> str:
    """Parse a phone number as people write it and return it in E.164 (+15551234567)."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."))
    if len(text) > 40:
        raise ValidationError(_("That phone number is too long."))
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number, including the area code.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, including the area code."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
