"""Deterministic demo data: two utilities, 50 customers, 60 meters, 3 years of hourly readings.

`python -m app.demo` fills an empty database and prints the demo logins. The areas' own demo
data are beside this module: han.py (port orders), installer.py (pre-notifications), keys.py.
District heating follows a synthetic outdoor-temperature year; electricity follows daily
and weekly rhythms with winter heating. The same seed always gives the same data.
"""

from __future__ import annotations

import argparse
import math
import os
import random
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from stdnum import ean

from app.clock import utcnow
from app.db import get_engine
from app.demo.han import add_han_demo
from app.demo.installer import add_installer_demo
from app.demo.keys import add_demo_key_units
from app.demo.money import add_money_demo
from app.models import (
    Concentrator,
    Customer,
    CustomerRelationship,
    Medium,
    Meter,
    Organisation,
    OrganisationKind,
    ReadingSource,
    Role,
    User,
)
from app.services.consumption.derivation import ConsumptionRows, consumption_rows
from app.services.consumption.local_time import local_zone
from app.services.consumption.rollups import insert_consumption, rebuild_all_consumption
from app.services.passwords import hash_password
from app.services.readings import ReadingRow, insert_readings

SEED = 20261123
CUSTOMER_COUNT = 50
METER_COUNT = 60
YEARS = 3
HOUR = 3600
LOCAL_ZONE = ZoneInfo("Europe/Oslo")

ELECTRICITY_REGISTER = "1-0:1.8.0"  # active energy import, kWh
HEAT_REGISTER = "heat_energy"  # delivered heat energy, kWh

FIRST_NAMES = (
    "Kari",
    "Ola",
    "Ingrid",
    "Lars",
    "Sigrid",
    "Nils",
    "Astrid",
    "Knut",
    "Marit",
    "Per",
    "Solveig",
    "Jon",
    "Liv",
    "Erik",
    "Ragnhild",
    "Hans",
    "Berit",
    "Tor",
    "Anne",
    "Bjørn",
)
LAST_NAMES = (
    "Nordmann",
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Berg",
    "Haugen",
    "Hagen",
    "Bakken",
)
STREETS = (
    "Storgata",
    "Kirkeveien",
    "Fjordveien",
    "Skoleveien",
    "Granittveien",
    "Elvegata",
    "Bjørkeveien",
    "Solbakken",
    "Havnegata",
    "Løkkeveien",
)
PLACES = (("7010", "Trondheim"), ("7030", "Trondheim"), ("7045", "Trondheim"), ("7500", "Stjørdal"))
ELECTRICITY_MODELS = (("Aidon", "6525"), ("Kaifa", "MA304H4"), ("Kamstrup", "OMNIPOWER"))
HEAT_MODELS = (("Kamstrup", "MULTICAL 603"), ("Kamstrup", "MULTICAL 403"))


@dataclass(frozen=True)
class DemoAccount:
    """A signed-up e-mail account (issue 13); its password meets the account password rules."""

    email: str
    name: str
    role: Role
    organisation: str | None  # the demo organisation's org number
    password: str


# Every eighth demo customer (the sixth, the fourteenth, ...) is a tenant, not the owner.
TENANT_EVERY, TENANT_REMAINDER = 8, 5

DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.meterportal.no", "Ada Lind", Role.ADMIN, None, "Fjord#Blueberry26"),
    DemoAccount(
        "distributor@demo.meterportal.no", "Dina Strand", Role.DISTRIBUTOR, "934567890", "Kobber#Maaler26"
    ),
    DemoAccount("installer@demo.meterportal.no", "Ivar Moe", Role.INSTALLER, "945678901", "Sikring#Kabel26"),
    DemoAccount("grid@demo.meterportal.no", "Gro Vik", Role.GRID_STAFF, "912345678", "Trafo#Stasjon26"),
    # Lysnett's own administrator (issue 24): its settings, and its staff's work too.
    DemoAccount(
        "gridadmin@demo.meterportal.no", "Geir Aas", Role.GRID_ADMIN, "912345678", "Kraftlinje#Styr26"
    ),
    # Holds read rights on a dozen of the distributor's units (app/demo/keys.py).
    DemoAccount("keyreader@demo.meterportal.no", "Kai Lund", Role.KEY_READER, None, "Nokkel#Leser26"),
)


@dataclass(frozen=True)
class DemoLogin:
    name: str
    installation_number: str
    metering_point_id: str
    mobile: str
    medium: str


def metering_point_id(sequence: int) -> str:
    """An 18-digit GSRN in the Norwegian range with its GS1 check digit."""
    body = f"70705750{sequence:09d}"
    return body + ean.calc_check_digit(body)


def seasonal_temperature(day_of_year: int) -> float:
    """Trondheim-like daily mean: about -5 °C mid-January, 15 °C mid-July."""
    return 5.0 - 10.0 * math.cos(2 * math.pi * (day_of_year - 20) / 365.25)


# Daily swing of the outdoor temperature by UTC hour: coldest before dawn.
_DAILY_SWING = tuple(2.5 * math.sin(2 * math.pi * (hour - 9) / 24) for hour in range(24))


# Hour-of-day shapes in local time: night trough, morning and evening peaks.
_ELECTRICITY_DAY = (
    0.55,
    0.5,
    0.48,
    0.47,
    0.48,
    0.55,
    0.8,
    1.15,
    1.2,
    1.0,
    0.9,
    0.9,
    0.92,
    0.9,
    0.9,
    0.95,
    1.15,
    1.45,
    1.55,
    1.45,
    1.3,
    1.1,
    0.85,
    0.65,
)
_HOT_WATER_DAY = (
    0.2,
    0.15,
    0.15,
    0.15,
    0.2,
    0.5,
    1.6,
    2.0,
    1.4,
    0.8,
    0.6,
    0.6,
    0.7,
    0.6,
    0.6,
    0.7,
    0.9,
    1.3,
    1.6,
    1.5,
    1.3,
    1.0,
    0.6,
    0.3,
)


def hourly_consumption(
    medium: str, size: float, start: datetime, hours: int, rng: random.Random
) -> Iterator[float]:
    """kWh per hour for ``hours`` hours from ``start`` (UTC, on the hour).

    Calendar facts are worked out once per UTC day; the hourly loop is plain arithmetic,
    which keeps 60 meters x 3 years well under the 30 s budget.
    """
    weather = 0.0
    gauss, uniform = rng.gauss, rng.uniform
    is_heat = medium == Medium.HEAT
    emitted = 0
    day = start.replace(hour=0)
    while emitted < hours:
        local_noon = (day + timedelta(hours=12)).astimezone(LOCAL_ZONE)
        offset_hours = int(local_noon.utcoffset().total_seconds()) // HOUR
        weekend = 1.12 if local_noon.weekday() >= 5 else 1.0
        season = seasonal_temperature(day.timetuple().tm_yday)
        first_hour = start.hour if day == start.replace(hour=0) else 0
        for utc_hour in range(first_hour, 24):
            if emitted == hours:
                return
            # Weather drifts slowly (AR(1)), so cold spells last for days.
            weather = 0.995 * weather + gauss(0.0, 0.35)
            temperature = season + _DAILY_SWING[utc_hour] + weather
            local_hour = (utc_hour + offset_hours) % 24
            if is_heat:
                # Heating stops above about 13 °C; hot water keeps a summer base load.
                heating = max(0.0, 13.0 - temperature) * 0.25 * size
                value = (heating + 0.5 * size * _HOT_WATER_DAY[local_hour]) * uniform(0.9, 1.1)
            else:
                # Panel heaters follow the household's rhythm too, though less than appliances.
                profile = _ELECTRICITY_DAY[local_hour] * weekend
                heating = max(0.0, 15.0 - temperature) * 0.07 * size * (0.6 + 0.4 * profile)
                value = (0.45 * size * profile + heating) * uniform(0.85, 1.15)
            emitted += 1
            yield round(value, 3)
        day += timedelta(days=1)


def _period(until: datetime) -> tuple[datetime, int]:
    end = until.replace(minute=0, second=0, microsecond=0)
    start = end.replace(year=end.year - YEARS)
    return start, int((end - start).total_seconds() // HOUR)


def demo_readings(meter_id: int, medium: str, size: float, until: datetime) -> Iterator[ReadingRow]:
    """Cumulative register readings, one per hour, for one meter."""
    rng = random.Random(SEED * 1000 + meter_id)
    start, hours = _period(until)
    register = HEAT_REGISTER if medium == Medium.HEAT else ELECTRICITY_REGISTER
    total = round(rng.uniform(5_000, 60_000), 3)
    ts = int(start.timestamp())
    source = ReadingSource.DEMO.value
    yield (meter_id, register, ts, total, "kWh", source)
    for used in hourly_consumption(medium, size, start, hours, rng):
        total = round(total + used, 3)
        ts += HOUR
        yield (meter_id, register, ts, total, "kWh", source)


def consumption_size(meter_id: int, medium: str) -> float:
    """How big a household or building the meter serves: fixed per meter, so re-runs agree."""
    factor = random.Random(SEED + meter_id).uniform(0.7, 1.6)
    return factor * (1.4 if medium == Medium.HEAT else 1.0)


def _build_master_data(db: Session) -> list[DemoLogin]:
    rng = random.Random(SEED)
    grid = Organisation(name="Lysnett AS", kind=OrganisationKind.GRID_COMPANY, org_number="912345678")
    heat = Organisation(name="Fjordvarme AS", kind=OrganisationKind.DISTRICT_HEATING, org_number="923456789")
    distributor = Organisation(
        name="Måleservice Norge AS", kind=OrganisationKind.DISTRIBUTOR, org_number="934567890"
    )
    installer = Organisation(
        name="Elektro Trøndelag AS", kind=OrganisationKind.INSTALLER_FIRM, org_number="945678901"
    )
    db.add_all([grid, heat, distributor, installer])
    db.flush()
    concentrator = Concentrator(
        serial="KAM-DC-000451",
        manufacturer="Kamstrup",
        model="OMNIA Concentrator",
        owner_id=distributor.id,
    )
    db.add(concentrator)
    db.flush()

    customers: list[Customer] = []
    for number in range(CUSTOMER_COUNT):
        name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % len(LAST_NAMES)]}"
        mobile = f"+47{40000000 + number * 1117:08d}"
        customers.append(Customer(name=name, mobile=mobile))
    # Households where two people registered with one mobile number.
    for first, second in ((2, 3), (10, 11)):
        customers[second].mobile = customers[first].mobile
    db.add_all(customers)
    db.flush()

    logins: list[DemoLogin] = []
    for index in range(METER_COUNT):
        # The first 50 relationships are one per customer; ten of them also have a second one.
        customer = customers[index if index < CUSTOMER_COUNT else (index - CUSTOMER_COUNT) * 4]
        medium = Medium.HEAT if index % 3 == 2 else Medium.ELECTRICITY
        manufacturer, model = (HEAT_MODELS if medium == Medium.HEAT else ELECTRICITY_MODELS)[
            index % 2 if medium == Medium.HEAT else index % 3
        ]
        prefix = "KAM" if manufacturer == "Kamstrup" else manufacturer[:3].upper()
        meter = Meter(
            serial=f"{prefix}{57000000 + index * 37:08d}",
            manufacturer=manufacturer,
            model=model,
            medium=medium,
            han_capable=medium == Medium.ELECTRICITY,
            owner_id=grid.id if medium == Medium.ELECTRICITY else heat.id,
            concentrator_id=concentrator.id if manufacturer == "Kamstrup" else None,
        )
        db.add(meter)
        db.flush()
        postcode, city = PLACES[index % len(PLACES)]
        relationship = CustomerRelationship(
            customer_id=customer.id,
            utility_id=grid.id if medium == Medium.ELECTRICITY else heat.id,
            installation_number=f"{3100000 + index * 7}",
            metering_point_id=metering_point_id(1000 + index),
            address=f"{STREETS[index % len(STREETS)]} {rng.randint(1, 120)}",
            postcode=postcode,
            city=city,
            meter_id=meter.id,
            # Some rent their home (issue 24): only the owner may order the HAN port.
            is_owner=index % TENANT_EVERY != TENANT_REMAINDER,
        )
        db.add(relationship)
        logins.append(
            DemoLogin(
                customer.name,
                relationship.installation_number,
                relationship.metering_point_id,
                customer.mobile or "",
                medium,
            )
        )
    db.flush()
    _add_demo_accounts(db, {org.org_number: org.id for org in (grid, heat, distributor, installer)})
    reader = db.exec(select(User).where(User.role == Role.KEY_READER.value)).first()
    add_demo_key_units(db, distributor.id or 0, reader.id if reader else None)
    add_installer_demo(db, grid.id or 0, installer.id or 0)
    add_han_demo(db, grid.id or 0)
    return logins


def _add_demo_accounts(db: Session, organisation_ids: dict[str | None, int | None]) -> None:
    for account in DEMO_ACCOUNTS:
        db.add(
            User(
                email=account.email,
                name=account.name,
                role=account.role.value,
                organisation_id=organisation_ids[account.organisation] if account.organisation else None,
                password_hash=hash_password(account.password),
            )
        )
    db.flush()


def database_is_empty(engine: Engine) -> bool:
    with Session(engine) as db:
        return (db.exec(select(func.count()).select_from(Organisation)).one() or 0) == 0


def _meter_series(meter_id: int, medium: str, until: datetime) -> tuple[list[ReadingRow], ConsumptionRows]:
    """One meter's readings and the consumption rows derived from them (runs in a worker)."""
    readings = list(demo_readings(meter_id, medium, consumption_size(meter_id, medium), until))
    points = [(ts, value) for _, _, ts, value, _, _ in readings]
    return readings, consumption_rows(meter_id, points, local_zone())


def generate_demo(engine: Engine, *, until: datetime | None = None) -> list[DemoLogin]:
    """Fill ``engine``'s database with the demo data.

    Running it again adds nothing twice: master data is created only in an empty
    database, and readings are idempotent on (meter, register, timestamp).
    """
    until = until or utcnow()
    logins: list[DemoLogin] = []
    fresh = database_is_empty(engine)
    if fresh:
        with Session(engine, expire_on_commit=False) as db:
            logins = _build_master_data(db)
            db.commit()
    with Session(engine) as db:
        meters = [(m.id or 0, m.medium) for m in db.exec(select(Meter).order_by(Meter.id))]
    # Worker processes compute the series while this one writes: the two overlap on 2 cores.
    with ProcessPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        series = pool.map(
            _meter_series,
            [m for m, _ in meters],
            [medium for _, medium in meters],
            [until] * len(meters),
        )
        with engine.begin() as connection:
            for readings, consumption in series:
                insert_readings(connection, readings)
                # The charts read hourly values and roll-ups, not readings.
                if fresh:
                    insert_consumption(connection, consumption)
    if not fresh:
        # Other readings may be stored beside the demo's: derive from all of them.
        rebuild_all_consumption(engine)
    else:
        add_money_demo(engine, until)
    return logins


def demo_logins(engine: Engine) -> list[DemoLogin]:
    with Session(engine) as db:
        rows = db.exec(
            select(CustomerRelationship, Customer, Meter)
            .join(Customer, Customer.id == CustomerRelationship.customer_id)
            .join(Meter, Meter.id == CustomerRelationship.meter_id)
            .order_by(CustomerRelationship.id)
        ).all()
    return [
        DemoLogin(c.name, r.installation_number, r.metering_point_id, c.mobile or "", m.medium)
        for r, c, m in rows
    ]


def _logins_to_show(logins: list[DemoLogin], shared: set[str]) -> list[DemoLogin]:
    """The first few relationships and a few whose mobile is shared, each once."""
    chosen = logins[:6]
    chosen += [login for login in logins[6:] if login.mobile in shared][:4]
    return chosen


def print_logins(logins: list[DemoLogin]) -> None:
    shared = {login.mobile for login in logins if sum(o.mobile == login.mobile for o in logins) > 1}
    print("Demo logins for Min side (installation number, metering point ID, mobile):")
    for login in _logins_to_show(logins, shared):
        note = "  (mobile shared by several relationships)" if login.mobile in shared else ""
        print(
            f"  {login.name:<22} {login.installation_number}  {login.metering_point_id}  "
            f"{login.mobile}  {login.medium}{note}"
        )
    print("SMS codes appear in this terminal once the app runs, marked DEVELOPMENT SMS.")
    print("Demo e-mail accounts (sign in at /konto/logg-inn or the portal's own sign-in page):")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.role.value:<12} {account.email:<34} {account.password}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--if-empty", action="store_true", help="do nothing if data exists")
    args = parser.parse_args()
    engine = get_engine()
    if args.if_empty and not database_is_empty(engine):
        print("Database already has data; demo generation skipped.")
        print_logins(demo_logins(engine))
        return
    started = datetime.now(UTC)
    logins = generate_demo(engine)
    if not logins:
        logins = demo_logins(engine)
    seconds = (datetime.now(UTC) - started).total_seconds()
    print(f"Demo data generated in {seconds:.1f} s.")
    print_logins(logins)
