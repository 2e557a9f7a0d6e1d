"""The outbox: every message the portal sends (mail and SMS), written with the decision it tells of."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class OutboxChannel(StrEnum):
    MAIL = "mail"
    SMS = "sms"


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its next try (next_attempt_at)
    SENDING = "sending"  # claimed by one sender until claimed_until
    SENT = "sent"
    FAILED = "failed"  # gave up after the last try, or refused for good (a number that cannot get SMS)


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient, composed in the recipient's language when it was queued.

    Sign-in codes are sent at once and never queued; on a laptop (the console backends) they are
    kept here too, already sent, so a developer and the tests can read them.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=8)
    # What it says: the message key (``installer_decision``, ``han.sms.completed``, ``login_code``).
    kind: str = Field(max_length=60)
    recipient: str = Field(max_length=254, index=True)
    language: str = Field(default="nb", max_length=5)
    subject: str = Field(default="", max_length=300)
    body: str = ""
    html_body: str = ""
    # The organisation the message is sent for (its staff see it when it keeps failing); none for
    # account mails, which only administrators follow.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = timestamp_field(default_now=True)
    claim_token: str = Field(default="", max_length=32)
    claimed_until: datetime | None = timestamp_field(nullable=True)
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = timestamp_field(default_now=True)
    sent_at: datetime | None = timestamp_field(nullable=True)
