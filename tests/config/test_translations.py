"""Every translation catalogue is complete, compiled from its current text, and there for every language."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

BACKEND = Path(__file__).resolve().parents[2] / "backend"
CATALOGUES = sorted(BACKEND.glob("clinic/*/locale/*/LC_MESSAGES/django.po"))


def test_every_app_with_translations_has_one_catalogue_per_language() -> None:
    others = {code for code, _ in settings.LANGUAGES} - {"en"}
    assert others, "only English is configured"
    for locale in sorted(BACKEND.glob("clinic/*/locale")):
        present = {path.name for path in locale.iterdir() if (path / "LC_MESSAGES" / "django.po").exists()}
        assert others <= present, f"{locale.relative_to(BACKEND)} has no catalogue for {sorted(others - present)}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(BACKEND)))
def test_catalogue_is_complete_and_compiled(po_path: Path) -> None:
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:5]}"
    assert not fuzzy, f"marked fuzzy (not used until reviewed): {fuzzy[:5]}"
    # The committed .mo is what runs: it must say what the .po says (make messages compiles it).
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.name} missing: run make messages"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert compiled._catalog.get(key) == entry.msgstr, f"{entry.msgid!r} differs in {mo_path.name}: make messages"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(BACKEND)))
def test_no_other_catalogue_overrides_a_translation(po_path: Path) -> None:
    # Django looks a text up in every app's catalogue, the first installed app first: the same English in
    # another catalogue (Django's own, another app's) would silently show that catalogue's translation.
    catalogue = polib.pofile(str(po_path))
    language = po_path.parents[1].name
    with translation.override(language):
        for entry in catalogue.translated_entries():
            if entry.msgid_plural:
                continue
            shown = (
                translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else translation.gettext(entry.msgid)
            )
            assert shown == entry.msgstr, f"{entry.msgid!r} shows as {shown!r}: another catalogue translates it"
