"""HAN port order fixtures: a migrated database with two grid companies, their customers and staff.

tests/services/conftest.py already makes every test here use the console SMS backend."""

from __future__ import annotations

import pytest
from han_factories import HanWorld, build_han_world
from sqlmodel import Session


@pytest.fixture
def world(db: Session) -> HanWorld:
    return build_han_world(db)
