"""The languages patients are written to in. One answer to "which language", used everywhere.

The list is a setting (`CLINIC_LANGUAGES`, default "en,es"): adding a language is its translation
files (each app's `locale/<code>/LC_MESSAGES/django.po`) and its code in that setting, not code.
Texts and pages in a language without a translation fall back to English, string by string.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

LANGUAGE_DEFAULT = "en"


def language_codes() -> list[str]:
    """The codes patients may choose, in the order forms offer them."""
    return [code for code, _ in settings.LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    """(code, the language's own name) pairs for forms and model choices: "Español", not "Spanish"."""
    names = [(code, str(translation.get_language_info(code)["name_local"])) for code in language_codes()]
    # Django keeps some own names in lower case ("español"); shown alone, they start with a capital.
    return [(code, name[:1].upper() + name[1:]) for code, name in names]


def language_supported(code: str | None) -> str:
    """The supported language closest to `code` ("es-MX" is "es"); the default for anything else."""
    if code:
        base = code.strip().lower().replace("_", "-").split("-")[0]
        if base in language_codes():
            return base
    return LANGUAGE_DEFAULT


def language_name(code: str) -> str:
    """A language's name in English, for staff: "Spanish"."""
    return str(translation.get_language_info(language_supported(code))["name"])


def validate_language(value: str) -> None:
    """A model field's check: one of the languages this installation offers."""
    if value not in language_codes():
        raise ValidationError(f"Choose one of: {', '.join(language_codes())}.")
