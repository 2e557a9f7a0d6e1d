"""The PostgreSQL pool: no round trip per checkout (pre-ping), connections recycled instead."""

from __future__ import annotations

from app.db import make_engine


def test_postgresql_engine_skips_the_pre_ping_and_recycles():
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")  # never connects
    try:
        assert engine.pool._pre_ping is False
        assert engine.pool._recycle == 1800
    finally:
        engine.dispose()
