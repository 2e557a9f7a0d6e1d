"""all_rows: every row of a select in one SQLite step, typed as SQLAlchemy's own fetch types them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    select,
)

from app.db import make_engine
from app.models.base import UtcDateTime
from app.sql_rows import all_rows
from tests.external_services import postgres_url_or_skip

ROWS = [
    {
        "id": 1,
        "day": date(2025, 1, 31),
        "kwh": 1.234567,
        "active": True,
        "quality": "measured",
        "seen": datetime(2025, 1, 31, 22, 15, tzinfo=UTC),
    },
    {"id": 2, "day": date(2025, 2, 1), "kwh": None, "active": False, "quality": None, "seen": None},
    {
        "id": 3,
        "day": date(2025, 2, 2),
        "kwh": 0.1 + 0.2,
        "active": True,
        "quality": "estimated",
        "seen": datetime(2025, 2, 2, 0, 0, tzinfo=UTC),
    },
]


def _table(metadata: MetaData, name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("day", Date),
        Column("kwh", Float),
        Column("active", Boolean),
        Column("quality", String),
        Column("seen", UtcDateTime),
    )


def _check(url: str) -> list[str]:
    engine = make_engine(url)
    metadata = MetaData()
    table = _table(metadata, f"sql_rows_{uuid.uuid4().hex[:8]}")
    statements: list[str] = []
    event.listen(
        engine, "before_cursor_execute", lambda _c, _cur, statement, *_rest: statements.append(statement)
    )
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(table.insert(), ROWS)
        query = select(
            table.c.id, table.c.day, table.c.kwh, table.c.active, table.c.quality, table.c.seen
        ).where(table.c.day >= bindparam("first"))
        with engine.connect() as connection:
            statements.clear()
            rows = all_rows(connection, query, {"first": date(2025, 1, 1)})
            expected = connection.execute(query, {"first": date(2025, 1, 1)}).all()
        by_id = {row.id: row for row in rows}
        assert set(by_id) == {1, 2, 3}
        for want in expected:
            got = by_id[want.id]
            # REAL keeps 15 significant digits through JSON: 0.1 + 0.2 comes back as 0.3.
            assert got.kwh == pytest.approx(want.kwh, rel=1e-14, abs=0) if want.kwh else got.kwh is None
            assert (got.id, got.day, got.active, got.quality, got.seen) == (
                want.id,
                want.day,
                want.active,
                want.quality,
                want.seen,
            )
            assert type(got.day) is date and isinstance(got.active, bool)
        assert by_id[1].seen == datetime(2025, 1, 31, 22, 15, tzinfo=UTC)
        assert by_id[1].kwh == 1.234567
        return statements[:1]
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def test_sqlite_reads_every_row_in_one_aggregate_step_typed_like_a_plain_fetch(tmp_path):
    first_statement = _check(f"sqlite:///{tmp_path / 'rows.db'}")
    assert "json_group_array" in first_statement[0]


def test_an_empty_result_is_an_empty_list(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    metadata = MetaData()
    table = _table(metadata, "empty_rows")
    metadata.create_all(engine)
    try:
        with engine.connect() as connection:
            assert all_rows(connection, select(table.c.id, table.c.day), {}) == []
    finally:
        engine.dispose()


def test_postgresql_runs_the_select_as_it_is():
    first_statement = _check(postgres_url_or_skip())
    assert "json_group_array" not in first_statement[0]
