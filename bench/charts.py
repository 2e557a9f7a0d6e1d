"""Chart query latency on a big SQLite database: >= 500 meters x 3 years of hourly values.

    .venv/bin/python -m bench.charts [--meters 500] [--years 3] [--requests 1000] [--db PATH]
                                     [--database postgresql://…] [--reference-requests 100]
                                     [--rebuild-before REF]

With --database the same build and queries run on PostgreSQL too (a private schema, dropped
afterwards), their figures printed after SQLite's from the same run.

Builds the database (migrations, meters and customer relationships, then hourly values and
their daily/monthly roll-ups written straight into the consumption tables, as
refresh_consumption leaves them; a tariff changed mid-span, taxes and an hourly spot price;
then the stored cost roll-ups, as the migration's backfill builds them), reports the load
times, then the p50/p95 latency of the year, month and day queries over random requests, and
of the kr views (issue 26) two ways in the same run: reading the cost roll-ups (what the app
does) and pricing every hour on the fly (what it did before; --reference-requests each).
Target: p95 < 10 ms each.

The kr levels: the year (twelve months), a month gone by (its days), the current month (its
days, the cost so far and the estimate, which prices today's hours), a day (its hours, priced
from the day's stored rates, its kWh and spot prices; on the fly: from the tariffs, taxes and
the month's peaks).

--rebuild-before REF: after the build, ``rebuild_all_costs`` of that commit of this repository
(a clone in a temporary folder) and of this checkout run again on the same database, back to
back, each in a process of its own: the backfill's speed before and after in the same run.
Every figure is printed with the load average (os.getloadavg()).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from app.db import make_engine
from app.demo.money import demo_spot_price
from app.migrate import upgrade_to_head
from app.models import Customer, CustomerRelationship, Meter, Organisation, OrganisationKind, Role, TaxKind
from app.services.caller import Caller, process_caller
from app.services.consumption import cost_rollups, derivation, rollups, tariffs
from app.services.consumption.local_time import local_zone
from app.services.consumption.prices import store_hourly_prices
from app.services.customer.consumption import charts, cost
from bench.phone import PROJECT_ROOT
from bench.phone import _clone_at as clone_at

HOUR = 3600


def load() -> str:
    return "load average " + " / ".join(f"{value:.1f}" for value in os.getloadavg())


# One backfill in a process of its own: the checkout's ``app`` package (PYTHONPATH), the database
# as the bench left it; prints the seconds it took.
_REBUILD = """
import sys, time
from sqlmodel import Session
from app.db import make_engine
from app.services.consumption.cost_rollups import rebuild_all_costs
engine = make_engine(sys.argv[1])
began = time.perf_counter()
with Session(engine) as db:
    rebuild_all_costs(db)
    db.commit()
print(time.perf_counter() - began)
"""


def rebuild_before_and_after(url: str, before: str, hours: int) -> None:
    """``rebuild_all_costs`` of ``before`` and of this checkout, back to back, on ``url``."""
    clone = clone_at(before, Path(tempfile.gettempdir()) / "meterportal-bench-charts")
    for name, checkout in ((f"before ({before})", clone), ("after (this checkout)", PROJECT_ROOT)):
        began_load = load()
        done = subprocess.run(
            [sys.executable, "-c", _REBUILD, url],
            cwd=checkout,
            env={**os.environ, "PYTHONPATH": str(checkout)},
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = float(done.stdout.strip().splitlines()[-1])
        print(
            f"rebuild_all_costs {name}: {seconds:.1f} s, {hours / seconds:,.0f} hours/s "
            f"({began_load} before, {load()} after)"
        )


def _master_data(engine, meters: int) -> list[tuple[int, Caller]]:
    with Session(engine, expire_on_commit=False) as db:
        grid = Organisation(name="Benchnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="999000111")
        db.add(grid)
        db.flush()
        pairs = []
        for n in range(meters):
            customer = Customer(name=f"Kunde {n}")
            meter = Meter(
                serial=f"BENCH{n:06d}",
                manufacturer="Aidon",
                model="6525",
                medium="heat" if n % 3 == 2 else "electricity",
            )
            db.add_all([customer, meter])
            db.flush()
            relationship = CustomerRelationship(
                customer_id=customer.id,
                utility_id=grid.id,
                installation_number=f"{n:07d}",
                metering_point_id=f"70705750{n:010d}",
                address="Benkveien 1",
                postcode="7010",
                city="Trondheim",
                meter_id=meter.id,
                bidding_zone="NO3",
            )
            db.add(relationship)
            db.flush()
            pairs.append(
                (
                    meter.id or 0,
                    Caller(session_id=n, role=Role.CUSTOMER, user_id=None, relationship_id=relationship.id),
                )
            )
        db.commit()
    return pairs


def _hours_for(meter_id: int, start: int, hours: int, rng: random.Random) -> list[derivation.HourRow]:
    """Plausible hourly kWh: a daily rhythm, a winter season, noise; one hour in 2,000 missing."""
    rows = []
    size = rng.uniform(0.6, 1.8)
    for i in range(hours):
        ts = start + i * HOUR
        if rng.random() < 0.0005:
            rows.append(derivation.HourRow(meter_id, ts, None, None, None, "missing"))
            continue
        hour_of_day = (ts // HOUR) % 24
        season = 1.0 + 0.6 * math.cos(2 * math.pi * ((ts / 86400) % 365.25) / 365.25)
        day_shape = 0.7 + 0.5 * math.sin(2 * math.pi * (hour_of_day - 6) / 24)
        kwh = round(size * season * day_shape * rng.uniform(0.8, 1.2), 3)
        rows.append(derivation.HourRow(meter_id, ts, kwh, kwh, kwh, "measured"))
    return rows


def _prices(engine, start: int, end: int) -> None:
    """A tariff (changed mid-span), taxes and an hourly NO3 spot price for every hour measured."""
    caller = process_caller()
    with Session(engine) as db:
        grid_id = db.connection().exec_driver_sql("SELECT id FROM organisation").scalar_one()
        first = datetime.fromtimestamp(start, local_zone()).date().replace(day=1)
        middle = datetime.fromtimestamp((start + end) // 2, local_zone()).date()
        for valid_from, fixed in ((first, "125.00"), (middle, "140.00")):
            tariffs.add_tariff_period(
                db,
                caller,
                utility_id=grid_id,
                valid_from=valid_from,
                fixed_monthly_kr=fixed,
                capacity_steps="0: 135\n2: 215\n5: 335\n10: 595\n15: 855\n20: 1115\n25: 1630",
                energy_winter_day="0.3975",
                energy_winter_night="0.3175",
                energy_summer_day="0.3575",
                energy_summer_night="0.2775",
            )
        taxes = ((TaxKind.ELECTRICITY_TAX, "0.1669"), (TaxKind.ENOVA_FEE, "0.01"), (TaxKind.VAT, "0.25"))
        for kind, rate in taxes:
            tariffs.add_tax_rate(db, caller, kind=kind, valid_from=first, rate=rate)
        hours = range(start, end + 2 * 86400, HOUR)
        store_hourly_prices(db, {("NO3", at): demo_spot_price(at) for at in hours})
        db.commit()


def build(url: str, meters: int, years: float) -> tuple[list[tuple[int, Caller]], int, float]:
    upgrade_to_head(url)
    engine = make_engine(url)
    pairs = _master_data(engine, meters)
    zone = local_zone()
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = int((end - timedelta(days=round(years * 365))).timestamp())
    _prices(engine, start - 40 * 86400, int(end.timestamp()))
    hours = int(end.timestamp() - start) // HOUR
    rng = random.Random(5)
    total = 0
    generating = storing = 0.0
    with engine.connect() as connection:
        transaction = connection.begin()
        if url.startswith("sqlite"):
            connection.exec_driver_sql("PRAGMA cache_size = -200000")
        for meter_id, _principal in pairs:
            began = time.perf_counter()
            rows = _hours_for(meter_id, start, hours, rng)
            generating += time.perf_counter() - began
            began = time.perf_counter()
            rollups.insert_hours(connection, rows)
            days = derivation.roll_up_days(rows, zone)
            rollups.insert_days(connection, days)
            rollups.insert_months(connection, derivation.roll_up_months(days, zone))
            storing += time.perf_counter() - began
            total += len(rows)
        began = time.perf_counter()
        transaction.commit()
        if not url.startswith("sqlite"):
            connection.exec_driver_sql("ANALYZE")
        storing += time.perf_counter() - began
    seconds = storing
    print(f"Generating the synthetic hourly values took {generating:.1f} s (not counted below)")
    began = time.perf_counter()
    with Session(engine) as db:
        cost_rollups.rebuild_all_costs(db)
        db.commit()
        days = db.connection().exec_driver_sql("SELECT count(*) FROM cost_day").scalar_one()
    if not url.startswith("sqlite"):
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    building = time.perf_counter() - began
    print(
        f"Cost roll-ups (rebuild_all_costs, the migration's backfill): {days:,} priced days of "
        f"{len(pairs)} meters in {building:.1f} s ({total / building:,.0f} hours/s), {load()}"
    )
    engine.dispose()
    return pairs, total, seconds


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return p50, p95, ordered[-1]


def measure(
    url: str, pairs: list[tuple[int, Caller]], requests: int, years: float, reference_requests: int
) -> dict[str, list[float]]:
    engine = make_engine(url)
    rng = random.Random(11)
    zone = local_zone()
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    this_month = today.replace(day=1)
    first_day = today - timedelta(days=round(years * 365)) + timedelta(days=1)
    span = (today - first_day).days

    def random_day() -> date:
        return first_day + timedelta(days=rng.randrange(span))

    def past_month() -> date:
        while (month := random_day().replace(day=1)) == this_month:
            pass
        return month

    def year(hourly: bool) -> Callable[[Session, Caller, int], object]:
        return lambda db, p, m: cost.year_cost(db, p, m, random_day().year, priced_hourly=hourly)

    def month(hourly: bool, current: bool = False) -> Callable[[Session, Caller, int], object]:
        def query(db: Session, p: Caller, m: int) -> object:
            shown = this_month if current else past_month()
            return cost.month_cost(db, p, m, shown, now=now, priced_hourly=hourly)

        return query

    queries: dict[str, tuple[Callable[[Session, Caller, int], object], int]] = {
        "year": (lambda db, p, m: charts.year_overview(db, p, m), requests),
        "month": (lambda db, p, m: charts.month_view(db, p, m, random_day().replace(day=1)), requests),
        "day": (lambda db, p, m: charts.day_view(db, p, m, random_day()), requests),
        # The kr views (issue 26): from the cost roll-ups, and every hour priced on the fly.
        "kr year": (year(False), requests),
        "kr year on the fly": (year(True), reference_requests),
        "kr month": (month(False), requests),
        "kr month on the fly": (month(True), reference_requests),
        "kr this month": (month(False, current=True), requests),
        "kr this month on the fly": (month(True, current=True), reference_requests),
        "kr day (hours)": (lambda db, p, m: cost.day_cost(db, p, m, random_day()), requests),
        "kr day (hours) on the fly": (
            lambda db, p, m: cost.day_cost(db, p, m, random_day(), priced_hourly=True),
            reference_requests,
        ),
    }
    timings: dict[str, list[float]] = {name: [] for name in queries}
    # Warm the page cache and the ORM's statement cache first, as a running server would be.
    with Session(engine) as db:
        for query, _count in queries.values():
            for meter_id, principal in pairs[:5]:
                query(db, principal, meter_id)
    for name, (query, count) in queries.items():
        for _ in range(count):
            meter_id, principal = rng.choice(pairs)
            # One session per request, as a state handler opens it.
            began = time.perf_counter()
            with Session(engine) as db:
                query(db, principal, meter_id)
            timings[name].append((time.perf_counter() - began) * 1000)
    engine.dispose()
    return timings


def report(timings: dict[str, list[float]], database: str, began_load: str) -> None:
    print(f"{database}: measured from {began_load} to {load()}")
    print(f"{database}: {'query':<26} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name, samples in timings.items():
        p50, p95, worst = _percentiles(samples)
        verdict = "ok" if p95 < 10 else "SLOW"
        print(f"{database}: {name:<26} {len(samples):>5} {p50:9.2f} {p95:9.2f} {worst:9.2f}   {verdict}")


def on_postgresql(args: argparse.Namespace) -> None:
    base_url, meters, years = args.database, args.meters, args.years
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}options=-csearch_path%3D{schema}"
    try:
        pairs, total, seconds = build(url, meters, years)
        print(
            f"PostgreSQL: loaded {total:,} hourly values for {len(pairs)} meters ({years:g} years) "
            f"with daily and monthly roll-ups in {seconds:.1f} s: {total / seconds:,.0f} hours/s"
        )
        if args.rebuild_before:
            rebuild_before_and_after(url, args.rebuild_before, total)
        began = load()
        report(measure(url, pairs, args.requests, years, args.reference_requests), "PostgreSQL", began)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--meters", type=int, default=500)
    parser.add_argument("--years", type=float, default=3, help="of hourly values (0.25: three months)")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument(
        "--reference-requests", type=int, default=100, help="of each kr view priced hour by hour"
    )
    parser.add_argument("--db", type=Path, help="reuse or keep the SQLite database here")
    parser.add_argument("--database", default="", help="a postgresql:// URL to measure as well")
    parser.add_argument("--skip-sqlite", action="store_true", help="with --database: PostgreSQL only")
    parser.add_argument("--rebuild-before", help="a commit whose rebuild_all_costs to time beside this one's")
    args = parser.parse_args()
    print(f"Started at {load()}")
    if not args.skip_sqlite:
        on_sqlite(args)
    if args.database:
        on_postgresql(args)


def on_sqlite(args: argparse.Namespace) -> None:
    path = args.db or Path(tempfile.mkdtemp(prefix="meterportal-bench-")) / "charts.db"
    if path.exists():
        print(f"Reusing {path}")
        engine = make_engine(f"sqlite:///{path}")
        with Session(engine) as db:
            rows = (
                db.connection()
                .exec_driver_sql("SELECT r.meter_id, r.id FROM customer_relationship r ORDER BY r.id")
                .all()
            )
        pairs = [
            (meter, Caller(session_id=i, role=Role.CUSTOMER, relationship_id=relationship))
            for i, (meter, relationship) in enumerate(rows)
        ]
        engine.dispose()
    else:
        pairs, total, seconds = build(f"sqlite:///{path}", args.meters, args.years)
        print(
            f"Loaded {total:,} hourly values for {len(pairs)} meters ({args.years:g} years) "
            f"with daily and monthly roll-ups in {seconds:.1f} s: {total / seconds:,.0f} hours/s"
        )
        print(f"Database {path}: {path.stat().st_size / 1e6:,.0f} MB")
        if args.rebuild_before:
            rebuild_before_and_after(f"sqlite:///{path}", args.rebuild_before, total)
    began = load()
    timings = measure(f"sqlite:///{path}", pairs, args.requests, args.years, args.reference_requests)
    report(timings, "SQLite", began)


if __name__ == "__main__":
    main()
