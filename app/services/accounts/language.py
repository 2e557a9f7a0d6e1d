"""The language a person's mail is written in: the one they last chose or signed in with.

An account's ``language`` was set once, at registration, from the page they registered on; a
person who later reads the portal in Swedish kept getting bokmål mails (issue 21 point 10). The
language the tab uses at sign-in, and every later change of it, is now the account's.
"""

from __future__ import annotations

from sqlmodel import Session

from app.i18n import LANGUAGES
from app.models import User


def remember_language(db: Session, user_id: int | None, language: str) -> None:
    """Make ``language`` (nb, sv, en) the account's; anything else is ignored."""
    if user_id is None or language not in LANGUAGES:
        return
    user = db.get(User, user_id)
    if user is not None and user.language != language:
        user.language = language
        db.add(user)
