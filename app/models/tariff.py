"""Tariffs, taxes and prices as data with validity periods (issues 24 and 26).

A period is valid from ``valid_from`` up to, not including, ``valid_to`` (None: until further
notice); dates are the utility's local calendar days. A change is a new period from a date: the
period before it gets that date as its end, and no price of a day already past is ever changed.
Money is ``NUMERIC`` (``Decimal``), never float; every price is excluding VAT (VAT is a rate of
its own in ``tax_rate``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Numeric
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field

# kr per kWh to the 1/100 000 kr (grid energy parts and taxes are published to the 1/100 øre).
KR_PER_KWH = Numeric(12, 5)
# kr per month or per MWh, to the øre.
KR = Numeric(12, 2)


class Season(StrEnum):
    WINTER = "winter"
    SUMMER = "summer"


class TimeBand(StrEnum):
    DAY = "day"
    NIGHT = "night"


class TaxKind(StrEnum):
    ELECTRICITY_TAX = "electricity_tax"  # forbruksavgift på elektrisk kraft, kr/kWh
    ENOVA_FEE = "enova_fee"  # Enova-påslaget, kr/kWh
    VAT = "vat"  # merverdiavgift, a fraction (0.25)


class TariffPeriod(SQLModel, table=True):
    """A grid company's electricity grid tariff from one date: fixed part, energy part, capacity steps."""

    __tablename__ = "tariff_period"

    id: int | None = Field(default=None, primary_key=True)
    utility_id: int = Field(foreign_key="organisation.id", index=True)
    valid_from: date
    valid_to: date | None = None
    # The fixed part (fastledd), kr per month; None only in a period imported from the old
    # environment setting, which named steps and no prices (see migration 0020).
    fixed_monthly_kr: Decimal | None = Field(default=None, sa_type=KR)
    # The day band is [day_from_hour, day_to_hour) local time on weekdays; the rest is night, and
    # weekends are night all day when ``weekend_is_night``.
    day_from_hour: int = 6
    day_to_hour: int = 22
    weekend_is_night: bool = True
    # The winter season's months, comma separated ("1,2,3"); the other months are summer.
    winter_months: str = Field(default="1,2,3", max_length=40)
    created_at: datetime = timestamp_field(default_now=True)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")


class TariffCapacityStep(SQLModel, table=True):
    """One capacity step of a period: from ``lower_kw`` up to the next step's lower bound."""

    __tablename__ = "tariff_capacity_step"

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="tariff_period.id", index=True)
    lower_kw: Decimal = Field(sa_type=Numeric(10, 3))
    # kr per month; None only for steps imported from the old environment setting, which named
    # no price: a month in such a step has no capacity cost to show (a gap, never zero).
    monthly_kr: Decimal | None = Field(default=None, sa_type=KR)


class TariffEnergyRate(SQLModel, table=True):
    """The energy part (energiledd) of a period for one season and time band, kr per kWh."""

    __tablename__ = "tariff_energy_rate"

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="tariff_period.id", index=True)
    season: str = Field(max_length=10)
    band: str = Field(max_length=10)
    kr_per_kwh: Decimal = Field(sa_type=KR_PER_KWH)


class TaxRate(SQLModel, table=True):
    """A national tax or fee from one date (they change on 1 January, sometimes mid-year)."""

    __tablename__ = "tax_rate"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    valid_from: date
    valid_to: date | None = None
    # kr per kWh for the electricity tax and the Enova fee; a fraction for VAT.
    rate: Decimal = Field(sa_type=KR_PER_KWH)
    created_at: datetime = timestamp_field(default_now=True)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")


class HeatPrice(SQLModel, table=True):
    """A district-heating company's price from one date: per MWh and a fixed part per month."""

    __tablename__ = "heat_price"

    id: int | None = Field(default=None, primary_key=True)
    utility_id: int = Field(foreign_key="organisation.id", index=True)
    valid_from: date
    valid_to: date | None = None
    kr_per_mwh: Decimal = Field(sa_type=KR)
    fixed_monthly_kr: Decimal = Field(sa_type=KR)
    created_at: datetime = timestamp_field(default_now=True)
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
