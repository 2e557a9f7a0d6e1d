"""UI text, one table per language. Pages and states look text up here; none hard-code it."""

from __future__ import annotations

from app.i18n import en, nb, sv

LANGUAGES: dict[str, dict[str, str]] = {"nb": nb.TEXT, "sv": sv.TEXT, "en": en.TEXT}
DEFAULT_LANGUAGE = "nb"


def translate(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text for ``key`` in ``language``, falling back to bokmål, then to the key itself."""
    table = LANGUAGES.get(language, LANGUAGES[DEFAULT_LANGUAGE])
    text = table.get(key) or LANGUAGES[DEFAULT_LANGUAGE].get(key) or key
    return text.format(**params) if params else text
