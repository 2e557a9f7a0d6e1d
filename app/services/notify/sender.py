"""The outbox's background sender: claims due messages, delivers them, retries with backoff.

Every backend worker of every host runs one (``run_outbox_sender``, registered by the app as a
lifespan task), so nobody has to remember a command. Each message is delivered by exactly one of
them: a sender *claims* a batch with one conditional UPDATE (status ``sending``, its own claim
token, a lease until ``claimed_until``) that only touches rows still due, and on PostgreSQL picks
them with ``FOR UPDATE SKIP LOCKED`` so concurrent senders take different rows without waiting.
A sender that dies mid-send leaves its claim to expire; the message is then due again (that try
counts), which is the one case where a message can go out twice: the lease is far longer than a
delivery's timeout.

A failed try waits ``OUTBOX_RETRY_SECONDS`` doubled per earlier try (capped at
``OUTBOX_RETRY_MAX_SECONDS``); after ``OUTBOX_MAX_ATTEMPTS`` tries, or at once when retrying is
useless (a number that cannot receive SMS, an address the server refuses for good), the message
is ``failed`` and shows in the staff's and administrators' list of failing messages.

Sent messages are deleted ``OUTBOX_KEEP_DAYS`` after sending (the sender looks once an hour);
failed ones stay until someone sends them again.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.config import Settings, settings
from app.db import get_engine
from app.models import OutboxChannel, OutboxMessage, OutboxStatus
from app.services.notify.mail import CONSOLE as MAIL_CONSOLE
from app.services.notify.mail import Mail, MailDeliveryError, deliver_mail
from app.services.notify.sms import CONSOLE as SMS_CONSOLE
from app.services.notify.sms import SmsDeliveryError, deliver_sms

log = logging.getLogger(__name__)

BATCH_SIZE = 20
PURGE_EVERY_SECONDS = 3600


@dataclass(frozen=True)
class SendRound:
    """What one round of the sender did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _due(now: datetime):  # type: ignore[no-untyped-def]
    """Waiting and due, or claimed by a sender whose lease ran out."""
    return or_(
        and_(
            col(OutboxMessage.status) == OutboxStatus.PENDING.value, col(OutboxMessage.next_attempt_at) <= now
        ),
        and_(col(OutboxMessage.status) == OutboxStatus.SENDING.value, col(OutboxMessage.claimed_until) < now),
    )


def claim_due_messages(
    engine: Engine, *, limit: int = BATCH_SIZE, lease_seconds: float, now: datetime | None = None
) -> tuple[str, list[OutboxMessage]]:
    """Claim up to ``limit`` due messages for this sender alone; returns the claim token and them."""
    now = now or utcnow()
    with Session(engine, expire_on_commit=False) as db:
        # A read first: most rounds find nothing, and an UPDATE would take SQLite's write lock.
        if db.exec(select(OutboxMessage.id).where(_due(now)).limit(1)).first() is None:
            return "", []
        token = uuid.uuid4().hex
        candidates = select(OutboxMessage.id).where(_due(now)).order_by(col(OutboxMessage.id)).limit(limit)
        if engine.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        db.execute(
            update(OutboxMessage)
            # Re-checked on the row itself: a row another sender claimed meanwhile is no longer due.
            .where(col(OutboxMessage.id).in_(candidates.scalar_subquery()), _due(now))
            .values(
                status=OutboxStatus.SENDING.value,
                claim_token=token,
                claimed_until=now + timedelta(seconds=lease_seconds),
                attempts=col(OutboxMessage.attempts) + 1,
            )
            .execution_options(synchronize_session=False)
        )
        db.commit()
        claimed = db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.claim_token == token, OutboxMessage.status == OutboxStatus.SENDING.value)
            .order_by(col(OutboxMessage.id))
        ).all()
        return token, list(claimed)


def deliver(message: OutboxMessage, config: Settings | None) -> str:
    """Send one message now with the configured backend; returns the backend's name.

    Without ``config`` each backend reads its module's settings when it sends.
    """
    if message.channel == OutboxChannel.SMS.value:
        return deliver_sms(message.recipient, message.body, config=config).backend
    mail = Mail(to=message.recipient, subject=message.subject, text=message.body, html=message.html_body)
    return deliver_mail(mail, config=config)


def retry_delay(attempts: int, config: Settings) -> timedelta:
    """The wait after the ``attempts``-th failed try: doubled per try, capped."""
    seconds = config.outbox_retry_seconds * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, config.outbox_retry_max_seconds))


def _finish(engine: Engine, message: OutboxMessage, token: str, **values: object) -> bool:
    """Write the outcome, unless this sender's claim was taken over meanwhile."""
    with Session(engine) as db:
        result = db.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == message.id,
                col(OutboxMessage.claim_token) == token,
                col(OutboxMessage.status) == OutboxStatus.SENDING.value,
            )
            .values(claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        db.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]


def send_due_messages(
    engine: Engine | None = None,
    config: Settings | None = None,
    *,
    limit: int = BATCH_SIZE,
    now: datetime | None = None,
) -> SendRound:
    """One round: claim what is due, deliver each, record sent / retry later / failed."""
    engine = engine or get_engine()
    outbox = config or settings
    token, messages = claim_due_messages(
        engine, limit=limit, lease_seconds=outbox.outbox_lease_seconds, now=now
    )
    sent = retrying = failed = 0
    for message in messages:
        try:
            backend = deliver(message, config)
        except (MailDeliveryError, SmsDeliveryError) as error:
            outcome = _record_failure(
                engine,
                message,
                token,
                outbox,
                now,
                getattr(error, "detail", "") or error.key,
                permanent=error.permanent,
            )
        except Exception as error:  # a bug or an unforeseen library error: try again later
            log.exception("outbox message %s: delivery raised", message.id)
            outcome = _record_failure(
                engine, message, token, outbox, now, type(error).__name__, permanent=False
            )
        else:
            sent += 1
            erased = {} if backend in (MAIL_CONSOLE, SMS_CONSOLE) else {"body": "", "html_body": ""}
            # Delivered by a real backend, the text (links, reasons) is not kept: who, what and when is.
            _finish(engine, message, token, status=OutboxStatus.SENT.value, sent_at=utcnow(), **erased)
            continue
        if outcome == OutboxStatus.FAILED:
            failed += 1
        else:
            retrying += 1
    return SendRound(claimed=len(messages), sent=sent, retrying=retrying, failed=failed)


def _record_failure(
    engine: Engine,
    message: OutboxMessage,
    token: str,
    config: Settings,
    now: datetime | None,
    detail: str,
    *,
    permanent: bool,
) -> OutboxStatus:
    if permanent or message.attempts >= config.outbox_max_attempts:
        log.error(
            "%s %s (outbox %s) failed for good after %s tries: %s",
            message.channel,
            message.kind,
            message.id,
            message.attempts,
            detail,
        )
        _finish(engine, message, token, status=OutboxStatus.FAILED.value, last_error=detail[:300])
        return OutboxStatus.FAILED
    log.warning(
        "%s %s (outbox %s) try %s failed: %s",
        message.channel,
        message.kind,
        message.id,
        message.attempts,
        detail,
    )
    _finish(
        engine,
        message,
        token,
        status=OutboxStatus.PENDING.value,
        last_error=detail[:300],
        next_attempt_at=(now or utcnow()) + retry_delay(message.attempts, config),
    )
    return OutboxStatus.PENDING


def purge_sent_messages(engine: Engine, keep_days: int, *, now: datetime | None = None) -> int:
    """Delete the messages sent more than ``keep_days`` ago; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    with Session(engine) as db:
        result = db.execute(
            delete(OutboxMessage)
            .where(col(OutboxMessage.status) == OutboxStatus.SENT.value, col(OutboxMessage.sent_at) < cutoff)
            .execution_options(synchronize_session=False)
        )
        db.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def run_outbox_sender(config: Settings | None = None, engine: Engine | None = None) -> None:
    """Send due messages until cancelled (the app's lifespan task; one per backend worker);
    once an hour, delete what was sent longer ago than the retention."""
    outbox = config or settings
    poll_seconds = outbox.outbox_poll_seconds
    log.info("outbox sender started (every %s s)", poll_seconds)
    purged_at: float | None = None
    while True:
        full = False
        try:
            outcome = await asyncio.to_thread(send_due_messages, engine, config)
            full = outcome.claimed >= BATCH_SIZE
            if purged_at is None or time.monotonic() - purged_at >= PURGE_EVERY_SECONDS:
                purged = await asyncio.to_thread(
                    purge_sent_messages, engine or get_engine(), outbox.outbox_keep_days
                )
                purged_at = time.monotonic()
                if purged:
                    log.info(
                        "outbox: deleted %s messages sent over %s days ago", purged, outbox.outbox_keep_days
                    )
        except Exception:  # a database away for a moment must not end the sender
            log.exception("outbox sender round failed")
        if not full:
            await asyncio.sleep(poll_seconds)
