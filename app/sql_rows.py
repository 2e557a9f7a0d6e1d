"""Every row of a select in one SQLite step: how a chart tap reads its rows off the event loop.

A tap reads on a worker thread. pysqlite releases the GIL for each row it steps to, and on a
busy backend the thread then waits for the event loop to hand the GIL back (up to the switch
interval) once per row: a month of 31 days cost 31 waits, and the ceiling in taps/s fell by a
quarter. On SQLite the select is run as ``SELECT json_group_array(json_array(<columns>)) FROM
(<select>)``: one step, one wait. Each value then goes through its column type's result
processor, as SQLAlchemy's own fetch would do (dates come back as dates). PostgreSQL sends a
result's rows in one go anyway; there the select runs as it is.

Limits: no BLOB columns (JSON cannot hold them); REAL values keep 15 significant digits (the
stored kWh have six decimals); the rows come in no particular order (an aggregate over a
subquery keeps none), so callers key them by a column.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection

# Per select (built once at import): the wrapped select, each column's processor, the row type.
_WRAPPED: WeakKeyDictionary[Select, tuple[Select, list[Callable[[Any], Any] | None], type]] = (
    WeakKeyDictionary()
)


def _wrapped(statement: Select, connection: Connection) -> tuple[Select, list, type]:
    known = _WRAPPED.get(statement)
    if known is None:
        inner = statement.subquery()
        dialect = connection.dialect
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in inner.c]
        row_type = namedtuple("Row", [column.key for column in inner.c])  # type: ignore[misc]
        aggregate = select(func.json_group_array(func.json_array(*inner.c)))
        known = _WRAPPED[statement] = (aggregate, processors, row_type)
    return known


def all_rows(connection: Connection, statement: Select, params: Mapping[str, Any]) -> Sequence[Any]:
    """The rows of ``statement``, each with attribute access by column name."""
    if connection.dialect.name != "sqlite":
        return connection.execute(statement, params).all()
    aggregate, processors, row_type = _wrapped(statement, connection)
    text = connection.execute(aggregate, params).scalar_one()
    return [
        row_type(
            *[
                value if value is None or process is None else process(value)
                for process, value in zip(processors, values, strict=True)
            ]
        )
        for values in json.loads(text)
    ]
