"""The configured languages as patients see them offered."""

from __future__ import annotations

from clinic.core.languages import language_choices


def test_each_language_is_offered_in_its_own_name_with_a_capital() -> None:
    # Django spells Spanish's own name "español"; alone on a button or an option it starts with a capital.
    assert language_choices() == [("en", "English"), ("es", "Español")]
