"""How the key pages show counts, times and unit attributes in the reader's language."""

from __future__ import annotations

from app.i18n import LANGUAGES, translate
from app.i18n.numbers import format_number


def format_count(count: int, language: str) -> str:
    """2,431 in English; 2 431 (a no-break space) in Norwegian and Swedish."""
    return format_number(count, 0, language)


def attribute_text(prefix: str, value: str, language: str) -> str:
    """A kind or medium in words ("keys.list.kind.meter"), or the value itself when no text names it."""
    if not value:
        return ""
    key = f"{prefix}.{value}"
    return translate(key, language) if key in LANGUAGES[language] else value
