"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, Text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

from app.clock import utcnow


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset and hands back naive datetimes; PostgreSQL's timestamptz hands back
    the session's zone. Either way the application sees an aware UTC datetime, so no service
    needs to patch what it reads.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        # A naive value can only be UTC here: the app's clock is UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timestamp_field(*, nullable: bool = False, index: bool = False, default_now: bool = False):
    """A timezone-aware UTC timestamp column."""
    kwargs = {"default_factory": utcnow} if default_now else {"default": None}
    return Field(sa_type=UtcDateTime, nullable=nullable, index=index, **kwargs)


class ExactMoney(TypeDecorator):
    """An exact amount of kroner as ``Decimal``, never float: PostgreSQL ``NUMERIC`` without a
    scale (every digit kept); SQLite, whose NUMERIC would hold a float, the decimal's text.

    For exact intermediate sums (the cost roll-ups keep a day's cost unrounded and the shown
    amount is rounded to the øre once, as the cost calculation states); not summed in SQL.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):  # type: ignore[no-untyped-def]
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect) -> object:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return str(Decimal(value))
        return Decimal(value)

    def process_result_value(self, value: object, dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value)) if not isinstance(value, Decimal) else value
