"""The three UI languages have the same keys and the same placeholders."""

from __future__ import annotations

import string
from importlib import import_module

import pytest

from app.i18n import AREAS, LANGUAGES, PLURAL_FORMS, translate, translate_count


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_nb_sv_and_en_have_the_same_keys():
    assert set(LANGUAGES) == {"nb", "sv", "en"}
    assert set(LANGUAGES["sv"]) - set(LANGUAGES["nb"]) == set()
    assert set(LANGUAGES["nb"]) - set(LANGUAGES["sv"]) == set()
    assert set(LANGUAGES["en"]) ^ set(LANGUAGES["nb"]) == set()


@pytest.mark.parametrize("area", AREAS)
def test_each_area_has_the_same_keys_in_every_language(area):
    tables = {lang: import_module(f"app.i18n.{lang}.{area}").TEXT for lang in ("nb", "sv", "en")}
    assert set(tables["sv"]) ^ set(tables["nb"]) == set()
    assert set(tables["en"]) ^ set(tables["nb"]) == set()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_text_has_the_placeholders_of_bokmal(language):
    table = LANGUAGES[language]
    bokmal = LANGUAGES["nb"]
    different = {key for key, text in bokmal.items() if _placeholders(text) != _placeholders(table[key])}
    assert different == set()


def test_no_text_is_empty():
    assert [
        f"{lang}:{key}"
        for lang, table in LANGUAGES.items()
        for key, text in table.items()
        if not text.strip()
    ] == []


def test_swedish_is_used_when_chosen():
    assert translate("nav.logout", "sv") == "Logga ut"
    assert translate("login.locked", "sv", minutes=15) == (
        "För många felaktiga lösenord. Kontot är låst i 15 minuter."
    )


def test_a_counting_text_has_every_plural_form_in_every_language():
    for language, table in LANGUAGES.items():
        counting = {key.rsplit(".", 1)[0] for key in table if key.rsplit(".", 1)[-1] in PLURAL_FORMS}
        missing = [
            f"{base}.{form}" for base in counting for form in PLURAL_FORMS if f"{base}.{form}" not in table
        ]
        assert (language, missing) == (language, [])


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("nb", 0, "0 enheter"),
        ("nb", 1, "1 enhet"),
        ("nb", 2, "2 enheter"),
        ("nb", 2431, "2\u00a0431 enheter"),
        ("sv", 1, "1 enhet"),
        ("sv", 5, "5 enheter"),
        ("en", 0, "0 units"),
        ("en", 1, "1 unit"),
        ("en", 2431, "2,431 units"),
    ],
)
def test_translate_count_picks_the_plural_form_and_writes_the_number_as_the_language_does(
    language, count, expected
):
    assert translate_count("keys.list.total", language, count=count) == expected


def test_translate_count_passes_other_parameters_on():
    assert translate_count("keys.dialog.assigned", "en", count=1, email="a@b") == "a@b may now read 1 unit."
    assert translate_count("keys.dialog.assigned", "sv", count=3, email="a@b") == "a@b kan nu läsa 3 enheter."
