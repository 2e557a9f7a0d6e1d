"""Plain DB-API SQL for derived rows written and read in bulk (the consumption and cost roll-ups):
a rebuild touches millions of rows and SQLAlchemy's per-row and per-value cost would dominate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.engine import Connection


def placeholder(connection: Connection) -> str:
    """The driver's placeholder: ``?`` (sqlite3) or ``%s`` (psycopg)."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def placeholders(mark: str, values: Sequence[object] | range) -> str:
    return ", ".join([mark] * len(values))


def date_param(connection: Connection, day: date) -> object:
    # Raw DB-API inserts: SQLite keeps Date as ISO text (what SQLAlchemy reads back).
    return day.isoformat() if connection.dialect.name == "sqlite" else day


def insert_rows(connection: Connection, table: str, columns: str, rows: Sequence[Sequence[object]]) -> None:
    """Plain inserts of derived rows (their range was deleted first, so nothing conflicts).

    PostgreSQL takes them by COPY (ten times executemany's rate); SQLite by executemany in C.
    """
    if not rows:
        return
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = placeholders(placeholder(connection), range(len(rows[0])))
            # Table and column names are the callers' constants, never input.
            statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(statement, rows)
    finally:
        cursor.close()
