"""Migration 0017_outbox: the console backends' dev tables become sent rows of outbox_message."""

from __future__ import annotations

from sqlalchemy import inspect, text

from alembic import command
from app.db import make_engine
from app.migrate import alembic_config

BEFORE = "0016_worker"


def _up_with_dev_messages_down_up(url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, BEFORE)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO mail_outbox ("to", subject, text_body, html_body, sent_at)'
                " VALUES ('ada@example.org', 'Velkommen', 'tekst', '<p>tekst</p>', '2026-12-01 10:00:00+00')"
            )
        )
        connection.execute(
            text(
                'INSERT INTO sms_outbox ("to", body, created_at)'
                " VALUES ('+4791234567', '123456 er koden din', '2026-12-01 10:01:00+00')"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT channel, recipient, subject, body, status FROM outbox_message ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("mail", "ada@example.org", "Velkommen", "tekst", "sent"),
        ("sms", "+4791234567", "", "123456 er koden din", "sent"),
    ]
    tables = set(inspect(engine).get_table_names())
    assert "outbox_message" in tables and not {"mail_outbox", "sms_outbox"} & tables
    command.downgrade(config, BEFORE)
    assert {"mail_outbox", "sms_outbox"} <= set(inspect(engine).get_table_names())
    command.upgrade(config, "head")
    engine.dispose()


def test_0017_on_sqlite(tmp_path):
    _up_with_dev_messages_down_up(f"sqlite:///{tmp_path / 'm.db'}")


def test_0017_on_postgresql(postgres_url):
    _up_with_dev_messages_down_up(postgres_url)
