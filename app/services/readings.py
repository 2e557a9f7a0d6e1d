"""Storing register readings in bulk, once per (meter, register, timestamp, source)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

# (meter_id, register_code, ts epoch seconds UTC, value, unit, source)
ReadingRow = tuple[int, str, int, float, str, str]
# The same with the status the grid company gives (measured, estimated).
StatusReadingRow = tuple[int, str, int, float, str, str, str]

_INSERT_IGNORING_DUPLICATES = (
    "INSERT INTO reading (meter_id, register_code, ts, value, unit, source{status}) "
    "VALUES ({marks}) ON CONFLICT (meter_id, register_code, ts, source) DO NOTHING"
)


def insert_readings(
    connection: Connection,
    rows: Iterable[ReadingRow | StatusReadingRow],
    batch: int = 20_000,
    *,
    with_status: bool = False,
) -> int:
    """Insert readings; a reading that is already stored is skipped (idempotent).

    Returns how many rows were written, so that callers count what was stored and not what was
    submitted. Rows carry a seventh element, the status, when ``with_status`` is set (else the
    column's default, measured, applies). Goes straight to the DB-API cursor: for millions of rows
    the ORM costs ten times more.
    """
    if connection.dialect.name == "postgresql":
        return _copy_and_merge(connection, rows, max(batch, 200_000), with_status=with_status)
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    width = 7 if with_status else 6
    statement = _INSERT_IGNORING_DUPLICATES.format(
        marks=", ".join([mark] * width), status=", status" if with_status else ""
    )
    cursor = connection.connection.cursor()
    written = 0

    def write(chunk: list[Sequence[object]]) -> int:
        # psycopg 3 pipelines executemany; sqlite3 runs it in C. Both report the rows written
        # over the whole executemany (a skipped duplicate adds nothing).
        cursor.executemany(statement, chunk)
        return max(cursor.rowcount, 0)

    try:
        pending: list[Sequence[object]] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                written += write(pending)
                pending.clear()
        if pending:
            written += write(pending)
    finally:
        cursor.close()
    return written


# --------------------------------------------------------------------------------------------
# PostgreSQL: binary COPY straight into the table, inside a savepoint. New readings (nearly all
# of a live worker's, all of the demo's) go in at COPY speed. When the chunk holds a reading
# already stored, the unique key refuses the COPY, the savepoint is rolled back and the chunk is
# merged instead: COPY into a staging table, then INSERT ... SELECT ... ON CONFLICT DO NOTHING
# (half COPY's speed; executemany, even pipelined, stays near 10,000 rows/s).
# --------------------------------------------------------------------------------------------

# A temporary table lives per connection (pooled connections keep it); emptied at every commit.
_CREATE_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS reading_staging (meter_id bigint, register_code text, "
    "ts bigint, value double precision, unit text, source text, status text) "
    "ON COMMIT DELETE ROWS"
)
_MERGE_STAGING = (
    "INSERT INTO reading (meter_id, register_code, ts, value, unit, source{status}) "
    "SELECT meter_id, register_code, ts, value, unit, source{status} FROM reading_staging "
    "ON CONFLICT (meter_id, register_code, ts, source) DO NOTHING"
)
# Binary COPY: the server parses no text (the column types must match exactly).
_READING_TYPES = ["int4", "text", "int8", "float8", "text", "text"]
_STAGING_TYPES = ["int8", "text", "int8", "float8", "text", "text"]


def _copy_and_merge(
    connection: Connection,
    rows: Iterable[ReadingRow | StatusReadingRow],
    chunk_size: int,
    *,
    with_status: bool,
) -> int:
    columns = "meter_id, register_code, ts, value, unit, source" + (", status" if with_status else "")
    # Without a status the column's server default (measured) applies, as with the plain INSERT.
    status_type = ["text"] if with_status else []
    cursor = connection.connection.cursor()
    written = 0
    try:

        def write(chunk: list[Sequence[object]]) -> int:
            _check_meters_exist(cursor, {row[0] for row in chunk})
            ensure_reading_partitions(
                connection,
                min(row[2] for row in chunk),  # type: ignore[type-var]
                max(row[2] for row in chunk),
            )  # type: ignore[type-var]
            new = _probably_new(cursor, chunk)
            if new and _copy_new(cursor, chunk, columns, _READING_TYPES + status_type):
                return len(chunk)
            return _merge(cursor, chunk, columns, _STAGING_TYPES + status_type, with_status)

        pending: list[Sequence[object]] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= chunk_size:
                written += write(pending)
                pending.clear()
        if pending:
            written += write(pending)
    finally:
        cursor.close()
    return written


def _probably_new(cursor, chunk: list[Sequence[object]]) -> bool:  # type: ignore[no-untyped-def]
    """False when the chunk's first, middle or last reading is stored: a replay, merged at once
    rather than after a refused COPY (one indexed look-up instead of a wasted stream)."""
    probes = [chunk[0], chunk[len(chunk) // 2], chunk[-1]]
    # Each probe names ts exactly, so only the partitions of those instants are searched.
    condition = " OR ".join(["(meter_id = %s AND register_code = %s AND ts = %s AND source = %s)"] * 3)
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM reading WHERE {condition})",  # noqa: S608
        [value for row in probes for value in (row[0], row[1], row[2], row[5])],
    )
    return not cursor.fetchone()[0]


def _copy_new(cursor, chunk: list[Sequence[object]], columns: str, types: list[str]) -> bool:  # type: ignore[no-untyped-def]
    """COPY the chunk into ``reading``; False (and nothing written) when one is already stored."""
    from psycopg.errors import UniqueViolation

    cursor.execute("SAVEPOINT reading_copy")
    try:
        with cursor.copy(f"COPY reading ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in chunk:
                copy.write_row(row)
    except UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT reading_copy")
        return False
    cursor.execute("RELEASE SAVEPOINT reading_copy")
    return True


def _merge(
    cursor,
    chunk: list[Sequence[object]],
    columns: str,
    types: list[str],  # type: ignore[no-untyped-def]
    with_status: bool,
) -> int:
    cursor.execute(_CREATE_STAGING)
    cursor.execute("TRUNCATE reading_staging")
    with cursor.copy(f"COPY reading_staging ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in chunk:
            copy.write_row(row)
    # Duplicates inside one chunk are skipped too: DO NOTHING sees rows of its own command.
    cursor.execute(_MERGE_STAGING.format(status=", status" if with_status else ""))
    written = max(cursor.rowcount, 0)
    cursor.execute("TRUNCATE reading_staging")
    return written


class UnknownMeterIds(ValueError):
    """Readings for meter ids that are not in the meter table (a caller's bug: the store resolves
    every meter before it writes)."""


def _check_meters_exist(cursor, meter_ids: set[object]) -> None:  # type: ignore[no-untyped-def]
    # What the foreign key did per row, once per chunk (the partitioned table has none).
    cursor.execute("SELECT id FROM meter WHERE id = ANY(%s)", [sorted(meter_ids)])  # type: ignore[type-var]
    unknown = sorted(meter_ids - {meter_id for (meter_id,) in cursor.fetchall()})  # type: ignore[type-var]
    if unknown:
        raise UnknownMeterIds(f"readings for meter ids that do not exist: {unknown[:5]}")


# --------------------------------------------------------------------------------------------
# Monthly partitions of the reading table (PostgreSQL only; SQLite keeps one table)
# --------------------------------------------------------------------------------------------


def month_starts(first_ts: int, last_ts: int) -> list[datetime]:
    """The first instants (UTC) of every calendar month from ``first_ts``'s to ``last_ts``'s."""
    month = datetime.fromtimestamp(first_ts, UTC).replace(day=1, hour=0, minute=0, second=0)
    last = datetime.fromtimestamp(last_ts, UTC)
    months = []
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _next_month(month: datetime) -> datetime:
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )


def partition_name(month: datetime) -> str:
    return f"reading_{month.year:04d}_{month.month:02d}"


def ensure_reading_partitions(connection: Connection, first_ts: int | None, last_ts: int | None) -> int:
    """Create the monthly partitions of ``reading`` that cover [first_ts, last_ts]; returns how
    many were created. A no-op on SQLite or when ``reading`` is not partitioned.

    The worker's store calls this (through insert_readings) before every merge, so a month gets
    its partition before its first reading; the migration creates two years ahead as well.
    """
    if connection.dialect.name != "postgresql" or first_ts is None or last_ts is None:
        return 0
    cursor = connection.connection.cursor()
    try:
        # Read from the catalogue each time (one query per chunk of 200,000 rows): a cache could
        # outlive a rolled-back CREATE and then send rows to a partition that does not exist.
        cursor.execute(
            "SELECT c.relkind = 'p', array(SELECT p.relname::text FROM pg_inherits i "
            "JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid) "
            "FROM pg_class c WHERE c.oid = to_regclass('reading')"
        )
        found = cursor.fetchone()
        if found is None or not found[0]:
            return 0  # a plain table (SQLite-like schema or before the migration)
        known = set(found[1])
        created = 0
        for month in month_starts(first_ts, last_ts):
            name = partition_name(month)
            if name in known:
                continue
            # Only integers and a name built from them are formatted into the statement.
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF reading FOR VALUES "
                f"FROM ({int(month.timestamp())}) TO ({int(_next_month(month).timestamp())})"
            )
            created += 1
        return created
    finally:
        cursor.close()
