"""Bring a database to the newest schema with the committed Alembic migrations."""

from __future__ import annotations

import re
import sys

from alembic.config import Config

from alembic import command
from app.config import PROJECT_ROOT, settings


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


# The monthly partitions of reading (PostgreSQL) are created by migrations and the worker, not
# described by the models: autogenerate must neither drop them nor count them as differences.
# The partitioned reading table has no foreign key to meter on PostgreSQL (insert_readings checks
# the meter ids of each batch at once; see migration 0010): not a difference either.
_READING_PARTITION = re.compile(r"reading_\d{4}_\d{2}")


_WITHOUT_FOREIGN_KEYS_ON_POSTGRESQL = frozenset(
    {"reading", "consumption_hour", "consumption_day", "consumption_month"}
)


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    if type_ == "table" and reflected and name and _READING_PARTITION.fullmatch(name):
        return False
    # PostgreSQL has no foreign keys on these bulk-written tables (migrations 0010 and 0013).
    return not (
        type_ == "foreign_key_constraint"
        and getattr(obj.parent, "name", None) in _WITHOUT_FOREIGN_KEYS_ON_POSTGRESQL
    )


def upgrade_to_head(database_url: str | None = None) -> None:
    command.upgrade(alembic_config(database_url or settings.database_url), "head")


if __name__ == "__main__":
    upgrade_to_head(sys.argv[1] if len(sys.argv) > 1 else None)
