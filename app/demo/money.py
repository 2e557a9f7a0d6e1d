"""Demo data for prices and invoices (issue 26): tariffs, taxes and a heat price, a year of spot
prices for the demo's bidding zone, and a year of monthly invoices with generated PDFs (fpdf2),
imported through the same services as a utility's own files.

The rates are demo values of the right size, not the official ones of any year.
"""

from __future__ import annotations

import json
import math
import tempfile
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from fpdf import FPDF
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import (
    ConsumptionMonth,
    Customer,
    CustomerRelationship,
    HeatPrice,
    Medium,
    Meter,
    Organisation,
    OrganisationKind,
    TariffPeriod,
    TaxKind,
    TaxRate,
)
from app.services.caller import process_caller
from app.services.consumption import tariffs
from app.services.consumption.local_time import HOUR, local_midnight, local_zone, next_month
from app.services.consumption.prices import KR_PER_KWH_SCALE, store_hourly_prices
from app.services.customer.invoices import import_invoice_dir

DEMO_ZONE = "NO3"
INVOICE_MONTHS = 12


def _first_of_year(day: date, years_back: int) -> date:
    return date(day.year - years_back, 1, 1)


def add_tariff_demo(db: Session, until: date) -> None:
    """Each demo grid company's tariff (a change on 1 January this year), the taxes, a heat price."""
    caller = process_caller()
    start = _first_of_year(until, 3)
    this_year = _first_of_year(until, 0)
    if db.exec(select(TaxRate)).first() is None:
        for valid_from, el_tax in ((start, "0.1541"), (this_year, "0.1669")):
            tariffs.add_tax_rate(db, caller, kind=TaxKind.ELECTRICITY_TAX, valid_from=valid_from, rate=el_tax)
        tariffs.add_tax_rate(db, caller, kind=TaxKind.ENOVA_FEE, valid_from=start, rate="0.0100")
        tariffs.add_tax_rate(db, caller, kind=TaxKind.VAT, valid_from=start, rate="0.25")
    for grid in db.exec(select(Organisation).where(Organisation.kind == OrganisationKind.GRID_COMPANY)).all():
        if db.exec(select(TariffPeriod).where(TariffPeriod.utility_id == grid.id)).first() is not None:
            continue
        periods = ((start, "125.00", Decimal("1")), (this_year, "140.00", Decimal("1.08")))
        for valid_from, fixed, scale in periods:
            steps = "\n".join(
                f"{kw}: {(Decimal(price) * scale).quantize(Decimal('0.01'))}"
                for kw, price in (
                    (0, "135"),
                    (2, "215"),
                    (5, "335"),
                    (10, "595"),
                    (15, "855"),
                    (20, "1115"),
                    (25, "1630"),
                    (50, "2530"),
                    (75, "3430"),
                    (100, "4330"),
                )
            )

            def rate(base: str, scale: Decimal = scale) -> str:
                return str((Decimal(base) * scale).quantize(KR_PER_KWH_SCALE))

            tariffs.add_tariff_period(
                db,
                caller,
                utility_id=grid.id or 0,
                valid_from=valid_from,
                fixed_monthly_kr=fixed,
                capacity_steps=steps,
                energy_winter_day=rate("0.3975"),
                energy_winter_night=rate("0.3175"),
                energy_summer_day=rate("0.3575"),
                energy_summer_night=rate("0.2775"),
            )
    heat_companies = select(Organisation).where(Organisation.kind == OrganisationKind.DISTRICT_HEATING)
    for heat in db.exec(heat_companies).all():
        if db.exec(select(HeatPrice).where(HeatPrice.utility_id == heat.id)).first() is None:
            tariffs.add_heat_price(
                db,
                caller,
                utility_id=heat.id or 0,
                valid_from=start,
                kr_per_mwh="790.00",
                fixed_monthly_kr="160.00",
            )


def demo_spot_price(at: int) -> Decimal:
    """A deterministic hourly price of the right shape: dearer in winter and at the day's peaks."""
    moment = datetime.fromtimestamp(at, local_zone())
    season = 0.55 + 0.35 * math.cos((moment.timetuple().tm_yday - 15) / 365 * 2 * math.pi)
    peak = 0.1 if moment.hour in (8, 9, 17, 18) else 0
    daily = 0.12 * math.sin((moment.hour - 6) / 24 * 2 * math.pi) + peak
    wobble = ((at // HOUR * 2654435761) % 1000) / 1000 * 0.08
    return Decimal(str(max(0.02, season + daily + wobble))).quantize(KR_PER_KWH_SCALE, rounding=ROUND_HALF_UP)


def add_spot_price_demo(db: Session, until: date, zones: set[str]) -> None:
    zone = local_zone()
    end = local_midnight(until + timedelta(days=2), zone)
    start = local_midnight(until - timedelta(days=366), zone)
    hours = {(name, at): demo_spot_price(at) for name in sorted(zones) for at in range(start, end, HOUR)}
    store_hourly_prices(db, hours)


def _invoice_pdf(path: Path, lines: list[tuple[str, str]], title: str) -> None:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for label, value in lines:
        pdf.cell(60, 8, label)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def _kid(number: int) -> str:
    body = str(number)
    digits = [int(d) for d in body]
    total = sum(sum(divmod(d * (2 if i % 2 == 0 else 1), 10)) for i, d in enumerate(reversed(digits)))
    return body + str((10 - total % 10) % 10)


def add_invoice_demo(engine: Engine, until: date) -> None:
    """A monthly invoice for each of the last twelve whole months, for every relationship."""
    last_month = until.replace(day=1)
    months = []
    month = last_month
    for _ in range(INVOICE_MONTHS):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    records = []
    with tempfile.TemporaryDirectory(prefix="demo-invoices-") as folder_name:
        folder = Path(folder_name)
        with Session(engine) as db:
            rows = db.exec(
                select(CustomerRelationship, Customer, Meter)
                .join(Customer, Customer.id == CustomerRelationship.customer_id)
                .join(Meter, Meter.id == CustomerRelationship.meter_id)
                .order_by(CustomerRelationship.id)
            ).all()
            used = {
                (m.meter_id, m.month): m.energy_kwh
                for m in db.exec(select(ConsumptionMonth).where(ConsumptionMonth.month >= months[-1])).all()
            }
        for relationship, customer, meter in rows:
            for index, month in enumerate(sorted(months)):
                kwh = used.get((meter.id, month))
                if kwh is None:
                    continue
                price = Decimal("0.95") if meter.medium == Medium.HEAT else Decimal("1.42")
                amount = (Decimal(repr(kwh)) * price + Decimal("180")).quantize(Decimal("0.01"))
                vat = (amount / 5).quantize(Decimal("0.01"))
                number = f"{month:%Y%m}{relationship.id:05d}"
                invoice_date = next_month(month) + timedelta(days=4)
                due = invoice_date + timedelta(days=20)
                newest = index == len(months) - 1
                overdue = relationship.id == 1 and index == len(months) - 2  # Kari's: one stands out
                status = "unpaid" if newest else ("overdue" if overdue else "paid")
                pdf_name = f"{number}.pdf"
                _invoice_pdf(
                    folder / pdf_name,
                    [
                        ("Kunde", customer.name),
                        ("Anlegg", relationship.installation_number),
                        ("Målepunkt-ID", relationship.metering_point_id),
                        ("Periode", f"{month:%d.%m.%Y}-{next_month(month) - timedelta(days=1):%d.%m.%Y}"),
                        ("Forbruk", f"{kwh:.1f} kWh"),
                        ("Beløp inkl. mva.", f"{amount} kr"),
                        ("Herav mva.", f"{vat} kr"),
                        ("Forfall", f"{due:%d.%m.%Y}"),
                        ("KID", _kid(int(number))),
                    ],
                    f"Faktura {number}",
                )
                records.append(
                    {
                        "invoice_number": number,
                        "metering_point_id": relationship.metering_point_id,
                        "invoice_date": invoice_date.isoformat(),
                        "due_date": due.isoformat(),
                        "period_start": month.isoformat(),
                        "period_end": (next_month(month) - timedelta(days=1)).isoformat(),
                        "amount": str(amount),
                        "vat": str(vat),
                        "status": status,
                        "kid": _kid(int(number)),
                        "pdf": pdf_name,
                    }
                )
        (folder / "invoices.json").write_text(json.dumps(records))
        with Session(engine) as db:
            import_invoice_dir(db, process_caller(), folder)


def add_money_demo(engine: Engine, until: datetime) -> None:
    """Tariffs, taxes, spot prices and invoices for the demo (run after its consumption)."""
    today = until.astimezone(local_zone()).date()
    with Session(engine) as db:
        unzoned = select(CustomerRelationship).where(CustomerRelationship.bidding_zone == "")
        for relationship in db.exec(unzoned):
            relationship.bidding_zone = DEMO_ZONE
            db.add(relationship)
        add_tariff_demo(db, today)
        add_spot_price_demo(db, today, {DEMO_ZONE})
        db.commit()
    add_invoice_demo(engine, today)
