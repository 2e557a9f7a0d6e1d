"""Several field errors at once, for forms where more than one input can be wrong."""

from __future__ import annotations

from app.services.errors import DomainError


class FieldErrors(DomainError):
    """``errors`` maps each field name to the translation key of its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form.invalid")
        self.errors = dict(errors)
        # The first field, so a caller that shows one error still points at an input.
        self.field = next(iter(self.errors), None)
