"""UI text, one table per language, each assembled from one module per area.

Pages and states look text up here; none hard-code it. An area adds ``app/i18n/<lang>/<area>.py``
in every language and its name to ``AREAS``; a test keeps the languages' keys equal.

A text that counts something has one entry per plural form, ``<key>.one`` and ``<key>.other``
("{count} unit" / "{count} units"), and is looked up with ``translate_count``.
"""

from __future__ import annotations

from importlib import import_module

from app.i18n.numbers import format_number

AREAS = (
    "common",
    "customer",
    "accounts",
    "keys",
    "transfers",
    "installer",
    "han",
    "staff",
    "titles",
    "grid_admin",
    "money",
    "sharing",
)
DEFAULT_LANGUAGE = "nb"


def _language_table(language: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for area in AREAS:
        area_text = import_module(f"app.i18n.{language}.{area}").TEXT
        clash = table.keys() & area_text.keys()
        if clash:
            raise ValueError(f"{language}/{area} repeats {sorted(clash)}")
        table.update(area_text)
    return table


LANGUAGES: dict[str, dict[str, str]] = {lang: _language_table(lang) for lang in ("nb", "sv", "en")}


def translate(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text for ``key`` in ``language``, falling back to bokmål, then to the key itself."""
    table = LANGUAGES.get(language, LANGUAGES[DEFAULT_LANGUAGE])
    text = table.get(key) or LANGUAGES[DEFAULT_LANGUAGE].get(key) or key
    return text.format(**params) if params else text


# CLDR's plural forms of bokmål, Swedish and English: "one" for exactly 1, "other" for the rest (0 too).
PLURAL_FORMS = ("one", "other")


def plural_form(count: int) -> str:
    """``one`` or ``other``: bokmål, Swedish and English share the rule (1 is singular, 0 is not)."""
    return "one" if count == 1 else "other"


def translate_count(key: str, language: str, *, count: int, **params: object) -> str:
    """``key.one`` or ``key.other`` for ``count`` (``key`` itself when it has no plural forms); its
    ``{count}`` written as the language writes numbers (2\u00a0431 in bokmål and Swedish, 2,431 in
    English)."""
    table = LANGUAGES.get(language, LANGUAGES[DEFAULT_LANGUAGE])
    plural_key = f"{key}.{plural_form(count)}"
    chosen = plural_key if plural_key in table or plural_key in LANGUAGES[DEFAULT_LANGUAGE] else key
    return translate(chosen, language, count=format_number(count, 0, language), **params)
