"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

from sqlalchemy import DateTime
from sqlmodel import Field

from app.clock import utcnow


def timestamp_field(*, nullable: bool = False, index: bool = False, default_now: bool = False):
    """A timezone-aware UTC timestamp column."""
    kwargs = {"default_factory": utcnow} if default_now else {"default": None}
    return Field(sa_type=DateTime(timezone=True), nullable=nullable, index=index, **kwargs)
