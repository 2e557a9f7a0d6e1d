"""Day-ahead spot prices per bidding zone and hour, as imported from the utility's files (issue 26)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Numeric
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class SpotPrice(SQLModel, table=True):
    """The price of the hour [hour_start, hour_start + 1 h) (UTC epoch seconds) in a bidding zone.

    In NOK per kWh excluding VAT, to 1/100 000 kr: a quarter-hourly day's hour is the mean of its
    four quarters, and a price in EUR/MWh is converted at the file's or the rate file's rate.
    """

    __tablename__ = "spot_price"
    __table_args__ = {"sqlite_with_rowid": False}

    zone: str = Field(max_length=3, primary_key=True)
    hour_start: int = Field(sa_type=BigInteger, primary_key=True)
    kr_per_kwh: Decimal = Field(sa_type=Numeric(12, 5))
    imported_at: datetime = timestamp_field(default_now=True)
