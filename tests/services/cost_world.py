"""The prices of the cost tests' March 2025 (tests/services/test_cost.py, test_cost_rollups.py):
a grid company's tariff that changes on 16 March, and the taxes of 2025.

    period A, from 1 March:  fixed 124.00 kr/month, step 0-5 kW 248.00 (above 496.00) kr/month,
                             winter day 0.40, winter night 0.30, summer 0.35 / 0.25 kr/kWh
    period B, from 16 March: fixed 186.00, step 0-5 kW 372.00 (above 744.00), winter day 0.50,
                             winter night 0.40, summer day 0.45, summer night 0.35
    taxes: electricity tax 0.1000, Enova fee 0.0100 kr/kWh, VAT 25 %
"""

from __future__ import annotations

from sqlmodel import Session

from app.models import TaxKind
from app.services.caller import CLI_CALLER
from app.services.consumption import tariffs


def add_march_tariffs_and_taxes(db: Session, grid_id: int) -> None:
    for valid_from, fixed, steps, rates in (
        ("2025-03-01", "124.00", "0: 248.00\n5: 496.00", ("0.40", "0.30", "0.35", "0.25")),
        ("2025-03-16", "186.00", "0: 372.00\n5: 744.00", ("0.50", "0.40", "0.45", "0.35")),
    ):
        tariffs.add_tariff_period(
            db,
            CLI_CALLER,
            utility_id=grid_id,
            valid_from=valid_from,
            fixed_monthly_kr=fixed,
            capacity_steps=steps,
            energy_winter_day=rates[0],
            energy_winter_night=rates[1],
            energy_summer_day=rates[2],
            energy_summer_night=rates[3],
        )
    for kind, rate in (
        (TaxKind.ELECTRICITY_TAX, "0.1000"),
        (TaxKind.ENOVA_FEE, "0.0100"),
        (TaxKind.VAT, "0.25"),
    ):
        tariffs.add_tax_rate(db, CLI_CALLER, kind=kind, valid_from="2025-01-01", rate=rate)
