"""Meters and the concentrators that collect from them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class Medium(StrEnum):
    ELECTRICITY = "electricity"
    HEAT = "heat"
    WATER = "water"


class Concentrator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=40, unique=True, index=True)
    manufacturer: str = Field(max_length=60)
    model: str = Field(max_length=60)
    owner_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    created_at: datetime = timestamp_field(default_now=True)


class Meter(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=40, unique=True, index=True)
    manufacturer: str = Field(max_length=60)
    model: str = Field(max_length=60)
    medium: str = Field(max_length=16, index=True)
    han_capable: bool = Field(default=False)
    # The HAN port as the grid company last set it ("open"/"closed"; empty: not known), and when.
    han_port_state: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})
    han_port_changed_on: date | None = Field(default=None)
    owner_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    concentrator_id: int | None = Field(default=None, foreign_key="concentrator.id", index=True)
    created_at: datetime = timestamp_field(default_now=True)
