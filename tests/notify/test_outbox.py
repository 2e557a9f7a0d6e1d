"""The outbox's sender: claims, retries with backoff, gives up, and never sends a message twice."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.clock import utcnow
from app.config import Settings
from app.db import make_engine
from app.migrate import upgrade_to_head
from app.models import OutboxMessage, OutboxStatus
from app.services.notify import sender
from app.services.notify.outbox import queue_mail, queue_sms
from app.services.notify.sender import (
    claim_due_messages,
    retry_delay,
    run_outbox_sender,
    send_due_messages,
)
from tests.local_servers import free_port
from tests.smtp_sink import running_smtp_sink

SENDERS = 4
MESSAGES = 120


def _queue_many(url: str, count: int) -> list[str]:
    engine = make_engine(url)
    addresses = [f"reader{n}@example.org" for n in range(count)]
    with Session(engine) as db:
        for address in addresses:
            queue_mail(db, address, "access_declined", "en", reason="Unknown organisation")
        db.commit()
    engine.dispose()
    return addresses


def _race(url: str) -> None:
    """SENDERS senders, each with its own engine (as separate workers or hosts), at once."""
    addresses = _queue_many(url, MESSAGES)
    errors: list[BaseException] = []
    with running_smtp_sink() as sink:
        config = sink.settings()
        start = threading.Barrier(SENDERS)

        def one_sender() -> None:
            engine = make_engine(url)
            try:
                start.wait()
                while send_due_messages(engine, config, limit=3).claimed:
                    pass
            except BaseException as error:
                errors.append(error)
            finally:
                engine.dispose()

        threads = [threading.Thread(target=one_sender) for _ in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        for address in addresses:
            sink.wait_for(address)
        received = Counter(message["To"] for message in sink.messages)
    assert errors == []
    assert set(received) == set(addresses)
    assert max(received.values()) == 1, [a for a, n in received.items() if n > 1]
    engine = make_engine(url)
    with Session(engine) as db:
        rows = db.exec(select(OutboxMessage)).all()
    engine.dispose()
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT.value, 1)}


def test_concurrent_senders_on_sqlite_send_each_message_exactly_once(database_url):
    _race(database_url)


@pytest.mark.postgres
def test_concurrent_senders_on_postgresql_send_each_message_exactly_once(postgres_url):
    upgrade_to_head(postgres_url)
    _race(postgres_url)


def test_retries_back_off_exponentially_and_give_up_after_the_last_try(db, engine):
    config = Settings(
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        outbox_max_attempts=4,
        outbox_retry_seconds=30,
        outbox_retry_max_seconds=90,
    )
    message = queue_mail(db, "ada@example.org", "activation", "en", link="http://x/y")
    db.commit()
    now = utcnow()
    waits = []
    for attempt in range(1, 5):
        outcome = send_due_messages(engine, config, now=now)
        assert outcome.claimed == 1
        db.refresh(message)
        assert (message.attempts == attempt and "refused" in message.last_error.lower()) or message.last_error
        if attempt < 4:
            assert message.status == OutboxStatus.PENDING
            waits.append((message.next_attempt_at - now).total_seconds())
            assert send_due_messages(engine, config, now=now + timedelta(seconds=waits[-1] - 1)).claimed == 0
            now = message.next_attempt_at
    assert waits == [30, 60, 90]  # doubled each time, capped at OUTBOX_RETRY_MAX_SECONDS
    assert message.status == OutboxStatus.FAILED and outcome.failed == 1
    assert send_due_messages(engine, config, now=now + timedelta(days=1)).claimed == 0
    assert message.body  # a failed message keeps its text for whoever looks into it


def test_retry_delay_doubles_from_the_setting():
    config = Settings(outbox_retry_seconds=30, outbox_retry_max_seconds=3600)
    assert [retry_delay(n, config).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


def test_a_number_that_cannot_receive_sms_fails_at_once(db, engine, twilio, twilio_settings):
    twilio.failures["+4791234567"] = (400, 21211)
    message = queue_sms(db, "+4791234567", "han.sms.rejected", "en", number=3, reason="No meter")
    db.commit()
    assert send_due_messages(engine, twilio_settings).failed == 1
    db.refresh(message)
    assert message.status == OutboxStatus.FAILED and message.attempts == 1


def test_sms_goes_out_through_twilio_in_the_queued_language(db, engine, twilio, twilio_settings):
    queue_sms(db, "+4791234567", "han.sms.rejected", "sv", number=3, reason="Ingen mätare")
    db.commit()
    assert send_due_messages(engine, twilio_settings).sent == 1
    assert twilio.requests[-1].form["Body"] == "HAN-beställning 3 är avslagen: Ingen mätare"


def test_a_claim_whose_sender_died_is_taken_over_when_its_lease_runs_out(db, engine):
    message = queue_mail(db, "ada@example.org", "activation", "en", link="http://x/y")
    db.commit()
    token, claimed = claim_due_messages(engine, lease_seconds=300)
    assert [m.id for m in claimed] == [message.id] and token
    # The sender died: nobody else takes the message while its lease lasts...
    assert claim_due_messages(engine, lease_seconds=300)[1] == []
    # ...and after it, another sender does (the lost try counts).
    later = utcnow() + timedelta(seconds=301)
    with running_smtp_sink() as sink:
        assert send_due_messages(engine, sink.settings(), now=later).sent == 1
        sink.wait_for("ada@example.org")
    db.refresh(message)
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    # The first sender, come back, cannot overwrite the outcome with its old claim.
    assert not sender._finish(engine, message, token, status=OutboxStatus.FAILED.value)


def test_the_app_runs_the_sender_by_itself(monkeypatch, database_url):
    """`make run` and `make prod` start no sender process: each backend worker runs one."""
    from app.app import app

    assert run_outbox_sender in app.get_lifespan_tasks()
    engine = make_engine(database_url)
    with Session(engine) as db:
        queue_mail(db, "bo@example.org", "access_declined", "nb", reason="Ukjent")
        db.commit()

    async def run_briefly() -> None:
        with running_smtp_sink() as sink:
            task = asyncio.create_task(run_outbox_sender(sink.settings(outbox_poll_seconds=0.05), engine))
            try:
                await asyncio.to_thread(sink.wait_for, "bo@example.org")
            finally:
                task.cancel()

    asyncio.run(run_briefly())
    engine.dispose()


def _sent(db: Session, address: str, *, status: OutboxStatus, days_ago: float) -> OutboxMessage:
    message = queue_mail(db, address, "access_declined", "en", reason="Unknown organisation")
    message.status = status.value
    message.sent_at = utcnow() - timedelta(days=days_ago) if status == OutboxStatus.SENT else None
    message.created_at = message.next_attempt_at = utcnow() - timedelta(days=days_ago)
    db.commit()
    return message


def test_sent_messages_are_deleted_after_the_retention_and_failed_ones_stay(db, engine):
    _sent(db, "old@example.org", status=OutboxStatus.SENT, days_ago=91)
    _sent(db, "recent@example.org", status=OutboxStatus.SENT, days_ago=89)
    _sent(db, "gave-up@example.org", status=OutboxStatus.FAILED, days_ago=200)
    _sent(db, "waiting@example.org", status=OutboxStatus.PENDING, days_ago=120)

    assert sender.purge_sent_messages(engine, keep_days=90) == 1

    db.expire_all()
    left = {row.recipient for row in db.exec(select(OutboxMessage)).all()}
    assert left == {"recent@example.org", "gave-up@example.org", "waiting@example.org"}
    assert sender.purge_sent_messages(engine, keep_days=90) == 0


def test_the_running_sender_deletes_what_is_past_the_retention(db, engine):
    old = _sent(db, "old@example.org", status=OutboxStatus.SENT, days_ago=31)
    kept = _sent(db, "kept@example.org", status=OutboxStatus.SENT, days_ago=29)
    old_id, kept_id = old.id, kept.id

    async def run_until_purged() -> None:
        config = Settings(outbox_poll_seconds=0.05, outbox_keep_days=30)
        task = asyncio.create_task(run_outbox_sender(config, engine))
        try:
            for _ in range(200):
                with Session(engine) as check:
                    if check.get(OutboxMessage, old_id) is None:
                        return
                await asyncio.sleep(0.05)
        finally:
            task.cancel()

    asyncio.run(run_until_purged())
    with Session(engine) as check:
        assert check.get(OutboxMessage, old_id) is None
        assert check.get(OutboxMessage, kept_id) is not None
