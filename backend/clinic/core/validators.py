from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_encodable_text(value: str) -> None:
    """Reject text the database cannot store: lone UTF-16 surrogates (valid JSON, invalid UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(_("Contains characters that are not valid text.")) from exc
