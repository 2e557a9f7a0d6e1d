"""Account-service fixtures: the console mail outbox with a known PUBLIC_URL."""

from __future__ import annotations

import pytest
from account_helpers import PUBLIC_URL

from app.config import Settings
from app.services.notify import mail


@pytest.fixture(autouse=True)
def _console_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Settings(mail_backend="console", public_url=PUBLIC_URL, redis_url="")
    monkeypatch.setattr(mail, "settings", config)
