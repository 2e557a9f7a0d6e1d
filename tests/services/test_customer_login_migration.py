"""Migration 0002 (customer sign-in tables) upgrades and downgrades on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from alembic import command
from app.db import make_engine
from app.migrate import alembic_config

# (0002's sms_outbox became part of outbox_message in 0015_outbox: tests/test_outbox_migration.py.)
TABLES = {"login_challenge", "rate_limit_hit", "account_relationship", "remembered_device"}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _differences_in_my_tables(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        engine.dispose()
    return [d for d in diffs if any(table in repr(d) for table in TABLES)]


def _up_down_up(url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, "0001")
    assert not TABLES & _tables(url)
    command.upgrade(config, "0002")
    assert _tables(url) >= TABLES
    assert _differences_in_my_tables(url) == []
    command.downgrade(config, "0001")
    assert not TABLES & _tables(url)
    command.upgrade(config, "0002")
    assert _tables(url) >= TABLES


def test_0002_upgrades_and_downgrades_on_sqlite(tmp_path):
    _up_down_up(f"sqlite:///{tmp_path / 'm.db'}")


def test_0002_upgrades_and_downgrades_on_postgresql(postgres_url):
    _up_down_up(postgres_url)
