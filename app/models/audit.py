"""The audit log: who did what to keys, ownership, rights and personal data."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_field(default_now=True, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_role: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=64, index=True)
    subject_type: str = Field(default="", max_length=32)
    subject_id: str = Field(default="", max_length=64)
    outcome: str = Field(default="ok", max_length=16)
    detail: str = Field(default="", max_length=1000)
    client_address: str | None = Field(default=None, max_length=64)
