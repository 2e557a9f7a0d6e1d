"""The committed migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from app.migrate import include_in_autogenerate, upgrade_to_head


def _schema_differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": include_in_autogenerate})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_to_head_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade_to_head(url)
    assert {"organisation", "user", "customer_relationship", "meter", "reading", "audit_log"} <= (
        _tables(url)
    )
    assert _schema_differences(url) == []


def test_upgrade_is_repeatable(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    upgrade_to_head(url)
    upgrade_to_head(url)
    assert _schema_differences(url) == []


def test_upgrade_from_empty_to_head_on_postgresql(postgres_url):
    upgrade_to_head(postgres_url)
    assert "reading" in _tables(postgres_url)
    assert _schema_differences(postgres_url) == []
