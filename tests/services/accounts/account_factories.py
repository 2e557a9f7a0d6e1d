"""Helpers of the account-service tests: the fixed clock and reading mailed links (to PUBLIC_URL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import Session

from app.services.notify.mail import latest_mail_to

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
_LINK = re.compile(r"https://portal\.example\S+")


def mailed_link(db: Session, address: str) -> str:
    """The link in the newest message to ``address``."""
    message = latest_mail_to(db, address)
    assert message is not None, f"no mail to {address}"
    links = _LINK.findall(message.body)
    assert links, message.body
    return links[-1]


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]
