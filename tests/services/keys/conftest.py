"""Key-service fixtures: two distributor organisations with units, their signed-in superusers,
(the console mail: tests/services/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from key_factories import add_units, organisation, signed_in
from sqlmodel import Session

from app.models import Role
from app.services.caller import Caller


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
