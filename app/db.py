"""Engine and session factory: SQLite by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.config import settings
from app.private_files import make_private, open_private, private_directory


def _prepare_sqlite_file(url: str) -> None:
    """The database's folder (0700) and file (0600), made before SQLite would make them 0644/0755.

    SQLite gives its -wal and -shm files the mode of the database file.
    """
    if not url.startswith("sqlite:///"):
        return  # in memory
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    database = Path(path)
    private_directory(database.parent)
    if not database.exists():
        with contextlib.suppress(FileExistsError):
            os.close(open_private(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    for companion in ("", "-wal", "-shm", "-journal"):
        make_private(database.with_name(database.name + companion))


def make_engine(url: str) -> Engine:
    """An engine with the pragmas a portal on SQLite needs (WAL, foreign keys)."""
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # No pre-ping: it cost a round trip on every checkout (every chart tap). A connection the
    # server dropped fails one request, and SQLAlchemy then invalidates the whole pool; recycling
    # after 30 minutes keeps connections younger than typical idle timeouts of proxies, and LIFO
    # lets the spare ones of a quiet worker age out.
    return create_engine(url, pool_pre_ping=False, pool_recycle=1800, pool_use_lifo=True)


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return engine_for(settings.database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
