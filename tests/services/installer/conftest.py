"""Installer-portal fixtures: a migrated database with two grid companies and two firms."""

from __future__ import annotations

import pytest
from installer_factories import World, build_world
from sqlmodel import Session

from app.config import Settings
from app.services import rate_limit


@pytest.fixture(autouse=True)
def _database_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rate_limit, "settings", Settings(redis_url=""))


@pytest.fixture
def world(db: Session) -> World:
    built = build_world(db)
    db.commit()
    return built
