"""A grid company's HAN port service as its customers and staff read it (issue 24): the postage
fee for a module by post, where and when to pick one up, and the promised completion date (the
order date plus the company's target in working days). Its administrator sets them
(app/services/staff/grid_settings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.clock import local_now
from app.config import settings
from app.models import DEFAULT_COMPLETION_DAYS, HanServiceSettings
from app.services.working_days import add_working_days


@dataclass(frozen=True)
class HanService:
    post_fee: Decimal
    pickup_address: str
    pickup_hours: str
    completion_days: int


def han_service(db: Session, grid_company_id: int) -> HanService:
    """The company's HAN port service (its defaults when it has set nothing); not personal data."""
    row = db.exec(
        select(HanServiceSettings).where(HanServiceSettings.grid_company_id == grid_company_id)
    ).first()
    if row is None:
        return HanService(Decimal("0.00"), "", "", DEFAULT_COMPLETION_DAYS)
    return HanService(Decimal(row.post_fee), row.pickup_address, row.pickup_hours, row.completion_days)


def local_today() -> date:
    """Today in the utility's time zone."""
    return local_now(ZoneInfo(settings.timezone)).date()


def promised_date(db: Session, grid_company_id: int, ordered_on: date | None = None) -> date:
    """When an order placed on ``ordered_on`` (today) is promised done: that date plus the
    company's target in working days (weekends and Norwegian public holidays skipped)."""
    return add_working_days(ordered_on or local_today(), han_service(db, grid_company_id).completion_days)
