"""Domain exceptions whose message is fit to show to the user."""

from app.i18n import translate


class DomainError(Exception):
    """A problem the user caused and can fix.

    It carries a translation key (and its parameters) so the state shows it in the
    user's language, next to ``field`` when it concerns one input.
    """

    field: str | None = None

    def __init__(self, key: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        if field is not None:
            self.field = field

    def message(self, language: str = "nb") -> str:
        return translate(self.key, language, **self.params)


class AccessDenied(DomainError):
    """The caller is not signed in, or lacks the role or the right."""
