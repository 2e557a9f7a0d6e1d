"""Organisations: utilities (grid and district heating), distributors, installer firms."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class OrganisationKind(StrEnum):
    GRID_COMPANY = "grid_company"
    DISTRICT_HEATING = "district_heating"
    DISTRIBUTOR = "distributor"
    INSTALLER_FIRM = "installer_firm"


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32, index=True)
    org_number: str | None = Field(default=None, max_length=20, unique=True)
    created_at: datetime = timestamp_field(default_now=True)
