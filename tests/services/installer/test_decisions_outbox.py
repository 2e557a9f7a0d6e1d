"""Issue 21 point 2: a decision never depends on the mail server (the transactional outbox).

The local SMTP server (aiosmtpd) is stopped mid-test: the staff's approval stands, the installer's
mail waits in the outbox, and arrives exactly once when the server is back.
"""

from __future__ import annotations

from datetime import timedelta

from installer_factories import sent_for_approval
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.clock import utcnow
from app.models import NotificationStatus, OutboxStatus, PreNotification
from app.services.installer.processing import decide
from app.services.notify.mail import latest_mail_to
from app.services.notify.sender import send_due_messages
from tests.local_servers import free_port
from tests.smtp_sink import SmtpSink, running_smtp_sink, text_part


def _status(engine: Engine, number: int) -> str:
    with Session(engine) as fresh:
        row = fresh.get(PreNotification, number)
        assert row is not None
        return row.status


def test_smtp_stopped_mid_test_the_approval_stands_and_the_mail_arrives_once_when_it_is_back(
    db, engine, world
):
    first, second = sent_for_approval(db, world), sent_for_approval(db, world)
    sink = SmtpSink(port=free_port())
    config = sink.settings(outbox_retry_seconds=60)
    with running_smtp_sink(sink):
        decide(db, world.staff, first, NotificationStatus.APPROVED)
        db.commit()
        assert send_due_messages(engine, config).sent == 1
        sink.wait_for(world.installer_email)

    # The mail server is down now. The approval is saved all the same; its mail waits.
    decide(db, world.staff, second, NotificationStatus.APPROVED)
    db.commit()
    assert _status(engine, second) == NotificationStatus.APPROVED
    failed_try = send_due_messages(engine, config)
    assert (failed_try.claimed, failed_try.retrying, failed_try.sent) == (1, 1, 0)
    queued = latest_mail_to(db, world.installer_email)
    db.refresh(queued)
    assert queued.status == OutboxStatus.PENDING and queued.attempts == 1 and queued.last_error
    assert f" {second}" in queued.subject
    # Not tried again before its backoff is over.
    assert send_due_messages(engine, config).claimed == 0
    assert _status(engine, second) == NotificationStatus.APPROVED

    with running_smtp_sink(sink):
        later = utcnow() + timedelta(seconds=61)
        assert send_due_messages(engine, config, now=later).sent == 1
        for minutes in (1, 10, 120):  # later rounds find nothing more to send
            assert send_due_messages(engine, config, now=later + timedelta(minutes=minutes)).claimed == 0
        second_mail = sink.wait_for(world.installer_email, count=2)
    assert len(sink.to(world.installer_email)) == 2  # one per decision: nothing sent twice
    assert str(second) in second_mail["Subject"] and "/installator/" in text_part(second_mail)
    db.refresh(queued)
    assert queued.status == OutboxStatus.SENT and queued.sent_at is not None
    assert queued.body == "" and queued.html_body == ""  # delivered: its link is not kept


def test_a_decision_that_fails_queues_nothing(db, world):
    number = sent_for_approval(db, world)
    decide(db, world.staff, number, NotificationStatus.APPROVED)
    db.rollback()  # e.g. the audit write failed: decision and mail go together
    assert _status(db.get_bind(), number) == NotificationStatus.FOR_APPROVAL
    assert latest_mail_to(db, world.installer_email) is None
