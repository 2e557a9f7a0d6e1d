"""Readings on PostgreSQL: COPY into a staging table and one merge, monthly partitions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from alembic import command
from app.db import make_engine
from app.migrate import alembic_config, upgrade_to_head
from app.services.readings import (
    UnknownMeterIds,
    ensure_reading_partitions,
    insert_readings,
    partition_name,
)

JAN_2026 = 1_767_225_600  # 2026-01-01 00:00 UTC
HOUR = 3600


def _meter(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:
        return connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, created_at) "
                "VALUES ('AID1', 'Aidon', '6525', 'electricity', true, :now) RETURNING id"
            ),
            {"now": datetime.now(UTC)},
        ).scalar_one()


def _partitions(connection) -> set[str]:  # type: ignore[no-untyped-def]
    return set(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = to_regclass('reading')"
            )
        ).scalars()
    )


@pytest.fixture
def engine(postgres_url):  # type: ignore[no-untyped-def]
    upgrade_to_head(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def test_copy_path_counts_rows_written_and_skips_duplicates(engine):
    meter_id = _meter(engine)
    rows = [(meter_id, "1-0:1.8.0", JAN_2026 + h * HOUR, 100.0 + h, "kWh", "collected") for h in range(50)]
    with engine.begin() as connection:
        # A reading twice in one batch is stored once.
        assert insert_readings(connection, [*rows, rows[0]]) == 50
    with engine.begin() as connection:
        assert insert_readings(connection, rows) == 0
        more = [
            (meter_id, "1-0:1.8.0", JAN_2026 + (50 + h) * HOUR, 1.0, "kWh", "collected") for h in range(5)
        ]
        assert insert_readings(connection, rows[:10] + more) == 5
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*), min(status) FROM reading")).one()
    assert tuple(stored) == (55, "measured")


def test_copy_path_keeps_the_status_and_chunks(engine):
    meter_id = _meter(engine)
    rows = [
        (meter_id, "1-0:1.8.0", JAN_2026 + h * HOUR, float(h), "kWh", "collected", "estimated")
        for h in range(30)
    ]
    with engine.begin() as connection:
        assert insert_readings(connection, rows, batch=7, with_status=True) == 30
        # Chunks smaller than the floor still add up (the floor only raises the chunk size).
        statuses = connection.execute(text("SELECT DISTINCT status FROM reading")).scalars().all()
    assert statuses == ["estimated"]


def test_reading_is_partitioned_by_month_and_a_new_month_gets_its_partition(engine):
    meter_id = _meter(engine)
    far_month = datetime(2031, 5, 1, tzinfo=UTC)
    with engine.connect() as connection:
        kind = connection.execute(
            text("SELECT relkind FROM pg_class WHERE oid = to_regclass('reading')")
        ).scalar_one()
        assert kind == "p"
        before = _partitions(connection)
    assert partition_name(datetime.now(UTC).replace(day=1)) in before  # created ahead by the migration
    assert partition_name(far_month) not in before
    with engine.begin() as connection:
        written = insert_readings(
            connection, [(meter_id, "1-0:1.8.0", int(far_month.timestamp()) + HOUR, 5.0, "kWh", "collected")]
        )
    assert written == 1
    with engine.connect() as connection:
        assert partition_name(far_month) in _partitions(connection)
        rows = connection.execute(text(f"SELECT count(*) FROM {partition_name(far_month)}")).scalar_one()
    assert rows == 1


def test_ensuring_partitions_twice_creates_them_once(engine):
    with engine.begin() as connection:
        first = ensure_reading_partitions(connection, JAN_2026 - 400 * 86400, JAN_2026 - 300 * 86400)
        again = ensure_reading_partitions(connection, JAN_2026 - 400 * 86400, JAN_2026 - 300 * 86400)
    assert first >= 4
    assert again == 0


def test_migration_moves_existing_readings_into_partitions(postgres_url):
    command.upgrade(alembic_config(postgres_url), "0009")
    engine = make_engine(postgres_url)
    try:
        meter_id = _meter(engine)
        with engine.begin() as connection:
            assert (
                insert_readings(
                    connection,
                    [
                        (meter_id, "1-0:1.8.0", JAN_2026 - 700 * 86400, 1.0, "kWh", "collected"),
                        (meter_id, "1-0:1.8.0", JAN_2026, 2.0, "kWh", "collected"),
                    ],
                )
                == 2
            )
        upgrade_to_head(postgres_url)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM reading")).scalar_one() == 2
            old_month = datetime.fromtimestamp(JAN_2026 - 700 * 86400, UTC).replace(day=1)
            assert partition_name(old_month) in _partitions(connection)
            # The id sequence continues after the copied rows.
            later = [(meter_id, "1-0:1.8.0", JAN_2026 + HOUR, 3.0, "kWh", "collected")]
            assert insert_readings(connection, later) == 1
            ids = connection.execute(text("SELECT id FROM reading ORDER BY ts")).scalars().all()
        assert len(set(ids)) == 3 and ids[-1] > max(ids[:-1])
    finally:
        engine.dispose()


def test_copy_path_refuses_readings_of_unknown_meters(engine):
    meter_id = _meter(engine)
    rows = [
        (meter_id, "1-0:1.8.0", JAN_2026, 1.0, "kWh", "collected"),
        (meter_id + 999, "1-0:1.8.0", JAN_2026, 1.0, "kWh", "collected"),
    ]
    with pytest.raises(UnknownMeterIds, match=str(meter_id + 999)), engine.begin() as connection:
        insert_readings(connection, rows)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM reading")).scalar_one() == 0


def test_a_chunk_with_one_reading_already_stored_is_merged_not_refused(engine):
    meter_id = _meter(engine)
    rows = [(meter_id, "1-0:1.8.0", JAN_2026 + h * HOUR, 100.0 + h, "kWh", "collected") for h in range(30)]
    with engine.begin() as connection:
        assert insert_readings(connection, [rows[7]]) == 1
    # First, middle and last are new (the straight COPY is tried), one inside is not.
    with engine.begin() as connection:
        assert insert_readings(connection, rows) == 29
        assert connection.execute(text("SELECT count(*) FROM reading")).scalar_one() == 30


def test_the_consumption_tables_have_no_foreign_key_on_postgresql(engine):
    with engine.connect() as connection:
        keys = (
            connection.execute(
                text(
                    "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
                    "AND conrelid::regclass::text LIKE 'consumption_%'"
                )
            )
            .scalars()
            .all()
        )
    assert keys == []
