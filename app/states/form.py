"""Turning domain errors into text next to the field they concern."""

from __future__ import annotations

from app.i18n import translate
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors


def field_messages(error: DomainError, language: str) -> dict[str, str]:
    """Field name -> message; errors that concern no single field go under "form"."""
    if isinstance(error, FieldErrors):
        return {field: translate(key, language) for field, key in error.errors.items()}
    return {error.field or "form": error.message(language)}
