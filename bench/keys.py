"""The key list at scale: 20,000 units of one distributor in SQLite (and PostgreSQL).

    .venv/bin/python -m bench.keys [--units 20000] [--requests 300] [--assign 10000]
                                   [--database postgresql://…] [--skip-sqlite]

Builds the units through the sealing code (each key under its own data key, as production holds
them) beside 2,000 units of another organisation, a tenth of them already with a reader. Then:
- a list page (search/filter + sort by a random column, either way + a random page of 50, with its
  total count), each in its own session, as a state handler calls it: p50/p95. Goal p95 < 50 ms.
- select all matching (a filter matching `--assign` units) + assign read rights to them for a new
  e-mail address (invitation mail, audit rows listing every serial), committed. Goal < 2 s.
- a transfer of those units (issue 23): select all matching -> the mailed code asked -> sent with
  it -> accepted by the other organisation (every unit moved, ownership history, the read rights of
  their readers ended and mailed, both audit logs), each step committed in its own session as the
  handlers run them; then the same units sent back. Goal < 5 s for select + send + accept.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from app.clock import utcnow
from app.db import make_engine
from app.migrate import upgrade_to_head
from app.models import KeyReadRight, MeterKey, Organisation, OrganisationKind, Role, User
from app.services.caller import Caller
from app.services.keys import transfer_codes
from app.services.keys.read_rights import assign_read_rights
from app.services.keys.sealing import seal_keys
from app.services.keys.transfers import accept_transfer, request_send_code, send_units
from app.services.keys.units import SORT_COLUMNS, UnitQuery, list_units, matching_unit_ids

MODELS = (
    ("MULTICAL 21", "water"),
    ("flowIQ 2200", "water"),
    ("MULTICAL 403", "district_heating"),
    ("MULTICAL 603", "district_heating"),
)
OTHER_UNITS = 2000
_CODE = re.compile(r"\b(\d{6})\b")


def _units(owner_id: int, count: int, start: int, reader_id: int | None) -> list[dict]:
    now = utcnow()
    rows = []
    for n in range(count):
        serial = f"KAM{start + n:08d}"
        model, medium = MODELS[n % len(MODELS)]
        sealed = seal_keys(serial, os.urandom(16), None)
        rows.append(
            {
                "serial": serial,
                "manufacturer": "KAM",
                "kind": "concentrator" if n % 50 == 49 else "meter",
                "model": model,
                "medium": medium,
                "owner_id": owner_id,
                "reader_count": 1 if reader_id and n % 10 == 0 else 0,
                "encryption_key_sealed": sealed.encryption_key_sealed,
                "authentication_key_sealed": None,
                "wrapped_data_key": sealed.wrapped_data_key,
                "master_key_id": sealed.master_key_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def build(url: str, units: int) -> tuple[Caller, float]:
    started = time.perf_counter()
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as db:
        own = Organisation(name="Benchmåling AS", kind=OrganisationKind.DISTRIBUTOR.value)
        other = Organisation(name="Annen AS", kind=OrganisationKind.DISTRIBUTOR.value)
        db.add_all([own, other])
        db.flush()
        reader = User(email="eksisterende@bench.no", role=Role.KEY_READER.value, password_hash="x")
        db.add(reader)
        db.flush()
        rows = _units(own.id or 0, units, 10_000_000, reader.id) + _units(
            other.id or 0, OTHER_UNITS, 90_000_000, None
        )
        for start in range(0, len(rows), 5000):
            db.execute(insert(MeterKey), rows[start : start + 5000])
        db.flush()
        ids = db.exec(
            MeterKey.__table__.select()
            .with_only_columns(MeterKey.__table__.c.id)  # type: ignore[attr-defined]
            .where(MeterKey.__table__.c.reader_count == 1)
        ).all()  # type: ignore[attr-defined]
        db.execute(
            insert(KeyReadRight),
            [{"unit_id": i, "user_id": reader.id, "granted_at": utcnow()} for (i,) in ids],
        )
        db.commit()
        caller = Caller(role=Role.DISTRIBUTOR, organisation_id=own.id, client_address="bench")
    engine.dispose()
    return caller, time.perf_counter() - started


def _random_query(rng: random.Random, pages_hint: int) -> UnitQuery:
    filters = rng.choice(
        [
            {},
            {"kind": "meter"},
            {"medium": "water"},
            {"model": "MULTICAL 403"},
            {"assigned": "unassigned"},
            {"assigned": "assigned"},
            {"serial_search": f"KAM100{rng.randint(0, 1):d}"},
            {"model": "flowIQ 2200", "assigned": "unassigned"},
        ]
    )
    return UnitQuery(
        **filters,
        sort=rng.choice(list(SORT_COLUMNS)),
        descending=rng.random() < 0.5,
        page=rng.randint(1, pages_hint),
        page_size=50,
    )


def measure(url: str, caller: Caller, requests: int, assign: int, label: str) -> None:
    engine = make_engine(url)
    rng = random.Random(14)
    timings = []
    for _ in range(20):  # warm the caches, as a running server has them
        with Session(engine) as db:
            list_units(db, caller, _random_query(rng, 100))
    for _ in range(requests):
        query = _random_query(rng, 200)
        started = time.perf_counter()
        with Session(engine) as db:
            list_units(db, caller, query)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{label}: list page (filter + sort + page of 50, with count), {requests} requests: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms (goal < 50 ms)"
    )
    # A filter that matches `assign` units: the water meters are half of the units.
    match = UnitQuery(medium="water")
    seconds = []
    for round_ in range(3):
        started = time.perf_counter()
        with Session(engine) as db, contextlib.redirect_stdout(io.StringIO()):
            ids = matching_unit_ids(db, caller, match)[:assign]
            outcome = assign_read_rights(db, caller, ids, f"ny{round_}@bench.no")
            db.commit()
        seconds.append(time.perf_counter() - started)
        assert outcome.assigned == len(ids)
    print(
        f"{label}: select all matching + assign read rights to {len(ids):,} units, committed: "
        f"{', '.join(f'{s:.2f}' for s in seconds)} s (goal < 2 s)"
    )
    measure_transfer(engine, caller, match, label)
    engine.dispose()


def _distributor(db: Session, organisation_id: int | None, email: str) -> Caller:
    user = User(
        email=email,
        name=email,
        role=Role.DISTRIBUTOR.value,
        organisation_id=organisation_id,
        password_hash="x",
    )
    db.add(user)
    db.flush()
    return Caller(
        role=Role.DISTRIBUTOR, user_id=user.id, organisation_id=organisation_id, client_address="bench"
    )


def _transfer(
    engine, sender: Caller, recipient: Caller, to: str, match: UnitQuery, codes: list[str]
) -> tuple[int, list[float]]:
    """Select all matching -> code -> send -> accept, each in its own session; the steps' seconds."""
    steps = [time.perf_counter()]
    with Session(engine) as db:
        ids = matching_unit_ids(db, sender, match)
    steps.append(time.perf_counter())
    with Session(engine) as db:
        code_id = request_send_code(db, sender, ids, to)
    steps.append(time.perf_counter())
    with Session(engine, expire_on_commit=False) as db:
        transfer = send_units(db, sender, ids, to, code_id, codes[-1])
    steps.append(time.perf_counter())
    with Session(engine) as db:
        accept_transfer(db, recipient, transfer.id or 0)
    steps.append(time.perf_counter())
    return len(ids), [b - a for a, b in itertools.pairwise(steps)]


def measure_transfer(engine, caller: Caller, match: UnitQuery, label: str) -> None:
    codes: list[str] = []

    # The mailed code, read as the sender would (no mail server in a bench).
    def catch(mail, **_: object) -> str:
        codes.append(_CODE.findall(mail.text)[0])
        return "bench"

    transfer_codes.deliver_mail = catch  # type: ignore[assignment]
    with Session(engine) as db:
        other = Organisation(name="Mottaker AS", kind=OrganisationKind.DISTRIBUTOR.value)
        db.add(other)
        db.flush()
        sender = _distributor(db, caller.organisation_id, "avsender@bench.no")
        recipient = _distributor(db, other.id, "mottaker@bench.no")
        db.commit()
    for name, (giver, taker, to) in (
        ("there", (sender, recipient, "mottaker@bench.no")),
        ("back", (recipient, sender, "avsender@bench.no")),
    ):
        count, parts = _transfer(engine, giver, taker, to, match, codes)
        print(
            f"{label}: transfer {name}: select all matching {count:,} units + code + send + accept, "
            f"committed: {sum(parts):.2f} s (select {parts[0]:.2f}, code {parts[1]:.2f}, "
            f"send {parts[2]:.2f}, accept {parts[3]:.2f}) (goal < 5 s)"
        )


def on_sqlite(args: argparse.Namespace) -> None:
    path = Path(tempfile.mkdtemp(prefix="meterportal-bench-")) / "keys.db"
    url = f"sqlite:///{path}"
    caller, seconds = build(url, args.units)
    others = f"+{OTHER_UNITS:,} of another organisation"
    print(f"SQLite: {args.units:,} units ({others}) sealed and stored in {seconds:.1f} s")
    measure(url, caller, args.requests, args.assign, "SQLite")


def on_postgresql(base_url: str, args: argparse.Namespace) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}options=-csearch_path%3D{schema}"
    try:
        caller, seconds = build(url, args.units)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")  # as autovacuum would soon after a bulk load
        engine.dispose()
        print(f"PostgreSQL: {args.units:,} units sealed and stored in {seconds:.1f} s")
        measure(url, caller, args.requests, args.assign, "PostgreSQL")
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--assign", type=int, default=10_000)
    parser.add_argument("--database", default="", help="a postgresql:// URL to measure as well")
    parser.add_argument("--skip-sqlite", action="store_true", help="with --database: PostgreSQL only")
    args = parser.parse_args()
    if not args.skip_sqlite:
        on_sqlite(args)
    if args.database:
        on_postgresql(args.database, args)


if __name__ == "__main__":
    main()
