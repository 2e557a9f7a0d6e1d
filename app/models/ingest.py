"""What the ingestion worker keeps besides readings: per-source counters and HAN reader consents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class IngestSource(SQLModel, table=True):
    """One input of a worker (a serial port, a bus, a broker subscription, a file) and its counters."""

    __tablename__ = "ingest_source"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True, index=True)
    kind: str = Field(max_length=16)  # serial, mbus, mqtt, replay, csv, wmbus, demo
    reading_source: str = Field(max_length=16)  # ReadingSource value its readings carry
    state: str = Field(default="idle", max_length=32)
    last_error: str = Field(default="", max_length=200)
    last_frame_at: datetime | None = timestamp_field(nullable=True)
    frames_ok: int = Field(default=0, sa_type=BigInteger)
    frames_bad: int = Field(default=0, sa_type=BigInteger)
    # Frames of a meter whose key we hold that did not arrive encrypted (and authenticated) with it.
    frames_refused: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    readings_stored: int = Field(default=0, sa_type=BigInteger)
    readings_rejected: int = Field(default=0, sa_type=BigInteger)
    # Readings that were already stored (sent again): neither stored nor refused.
    readings_duplicate: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    unknown_meters: int = Field(default=0)
    # Seconds from the newest stored reading's timestamp to when it was stored.
    lag_seconds: float | None = Field(default=None, nullable=True)
    updated_at: datetime = timestamp_field(default_now=True)
    # The worker process behind the source (issue 25): several run on several hosts.
    host: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    group_name: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    client_id: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    messages: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    last_message_at: datetime | None = timestamp_field(nullable=True)
    # Readings fsync'ed to the spool and not yet in the database.
    spool_depth: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    # How often the worker reports when idle; a row older than three of these stopped reporting.
    heartbeat_seconds: float | None = Field(default=None, nullable=True)
    # The last time the worker could not reach the database (ended_at empty: it has not ended yet).
    outage_started_at: datetime | None = timestamp_field(nullable=True)
    outage_ended_at: datetime | None = timestamp_field(nullable=True)


class HanReader(SQLModel, table=True):
    """A HAN reader a customer connected to their meter, with the consent that lets us store its data."""

    __tablename__ = "han_reader"
    __table_args__ = (UniqueConstraint("reader_id", "meter_id", name="uq_han_reader_meter"),)

    id: int | None = Field(default=None, primary_key=True)
    # The ingest source name the reader's data arrives on (e.g. "mqtt:ams/1234" or "serial:/dev/ttyUSB0").
    reader_id: str = Field(max_length=120, index=True)
    meter_id: int = Field(foreign_key="meter.id", index=True)
    relationship_id: int = Field(foreign_key="customer_relationship.id", index=True)
    consent_text: str = Field(max_length=500)
    consent_at: datetime = timestamp_field(default_now=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
