"""Key-service fixtures: two distributor organisations with units, their signed-in superusers,
and the console mail outbox."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from key_service_helpers import PUBLIC_URL, add_units, organisation, signed_in
from sqlmodel import Session

from app.config import Settings
from app.models import Role
from app.services.caller import Caller
from app.services.notify import mail


@pytest.fixture(autouse=True)
def _console_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Settings(mail_backend="console", public_url=PUBLIC_URL, redis_url="")
    monkeypatch.setattr(mail, "settings", config)


@dataclass(frozen=True)
class KeyWorld:
    own: Caller  # distributor of organisation A
    other: Caller  # distributor of organisation B
    own_units: list[int]
    other_units: list[int]


@pytest.fixture
def world(db: Session) -> KeyWorld:
    own_org = organisation(db, "Måleservice Norge AS")
    other_org = organisation(db, "Annen Distributør AS")
    own_units = add_units(db, own_org, 30)
    other_units = add_units(db, other_org, 5, start=68000000)
    own = signed_in(db, Role.DISTRIBUTOR, "dina@maaleservice.no", own_org)
    other = signed_in(db, Role.DISTRIBUTOR, "odd@annen.no", other_org)
    db.commit()
    return KeyWorld(own, other, own_units, other_units)
