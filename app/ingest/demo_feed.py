"""`demo-ingest`: the demo readings, produced the way real ones arrive.

For every demo meter the hourly register values of `app.demo` are turned into frames: HAN list 3
HDLC frames for the electricity meters (Kamstrup ones encrypted with general-glo-ciphering, keys
from the key table) and wireless M-Bus mode 5 telegrams for the heat meters. The frames go through
the worker's pipeline (decoders, key ring, store) into the database. Only the last `days` days are
fed (30 by default) to keep it quick; the values agree with `python -m app.demo` for those hours,
so both can fill the same database.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.demo import (
    HEAT_REGISTER,
    SEED,
    _build_master_data,
    consumption_size,
    database_is_empty,
    demo_readings,
)
from app.ingest.frame_builders import (
    HeatMeterState,
    glo_cipher,
    han_list3_apdu,
    hdlc_frame,
    wmbus_heat_telegram,
)
from app.ingest.keyring import KeyRing
from app.ingest.store import ReadingStore
from app.ingest.worker import FramePipeline
from app.models import Medium, Meter, MeterKey, ReadingSource
from app.services.caller import Caller
from app.services.consumption.rollups import refresh_consumption
from app.services.keys.sealing import add_key

log = logging.getLogger(__name__)
DEMO_ACTOR = Caller(role="demo")


@dataclass(frozen=True, slots=True)
class DemoFeedResult:
    meters: int
    frames: int
    readings_stored: int
    seconds: float


def demo_key(serial: str, purpose: str) -> bytes:
    """A fixed demo key per meter (never a real one): the same on every run."""
    return hashlib.sha256(f"{SEED}|{serial}|{purpose}".encode()).digest()[:16]


def system_title(serial: str) -> bytes:
    """Kamstrup style: the FLAG id and the meter number in 5 bytes."""
    digits = "".join(ch for ch in serial if ch.isdigit())[-10:].rjust(10, "0")
    return serial[:3].upper().encode() + bytes.fromhex(digits)


def _ensure_keys(engine: Engine, meters: list[Meter]) -> None:
    with Session(engine) as db:
        known = set(db.exec(select(MeterKey.serial)).all())
        for meter in meters:
            if meter.serial in known:
                continue
            if meter.medium == Medium.HEAT:
                add_key(db, meter.serial, demo_key(meter.serial, "enc"), kind="meter", actor=DEMO_ACTOR)
            elif meter.manufacturer == "Kamstrup":
                add_key(
                    db,
                    meter.serial,
                    demo_key(meter.serial, "enc"),
                    demo_key(meter.serial, "auth"),
                    system_title=system_title(meter.serial),
                    actor=DEMO_ACTOR,
                )
        db.commit()


def run_demo_feed(
    engine: Engine, spool_path: Path, *, days: int = 30, until: datetime | None = None
) -> DemoFeedResult:
    started = datetime.now(UTC)
    until = until or started
    if database_is_empty(engine):
        with Session(engine, expire_on_commit=False) as db:
            _build_master_data(db)
            db.commit()
    with Session(engine) as db:
        meters = list(db.exec(select(Meter).order_by(Meter.id)))
    _ensure_keys(engine, meters)
    first_ts = int((until.replace(minute=0, second=0, microsecond=0) - timedelta(days=days)).timestamp())

    store = ReadingStore(
        engine, spool_path, batch_size=20_000, flush_seconds=5.0, refresh=refresh_consumption
    )
    keys = KeyRing(engine)
    frames = 0
    source = store.source("demo", "demo", ReadingSource.DEMO.value)
    for meter in meters:
        meter_id = meter.id or 0
        pipeline = FramePipeline(store, source, keys)
        size = consumption_size(meter_id, meter.medium)
        previous: float | None = None
        access = meter_id & 0xFF
        for _, register, ts, total, _unit, _source in demo_readings(meter_id, meter.medium, size, until):
            if ts < first_ts:
                previous = total
                continue
            moment = datetime.fromtimestamp(ts, UTC)
            used_kwh = total - previous if previous is not None else 0.0
            previous = total
            wh = round(total * 1000)
            if register == HEAT_REGISTER:
                access = (access + 1) & 0xFF
                state = HeatMeterState(wh, round(total * 0.09), 65.0 + used_kwh, 38.0)
                telegram = wmbus_heat_telegram(
                    _number(meter.serial), state, demo_key(meter.serial, "enc"), access
                )
                pipeline.handle_frame(telegram, moment)
            else:
                apdu = han_list3_apdu(
                    meter.serial,
                    moment,
                    wh,
                    round(used_kwh * 1000),
                    manufacturer=meter.manufacturer,
                    meter_type=meter.model,
                )
                if meter.manufacturer == "Kamstrup":
                    apdu = glo_cipher(
                        apdu,
                        system_title(meter.serial),
                        demo_key(meter.serial, "enc"),
                        demo_key(meter.serial, "auth"),
                        ts // 3600,
                    )
                pipeline.feed_hdlc(hdlc_frame(apdu), moment)
            frames += 1
    store.close()
    seconds = (datetime.now(UTC) - started).total_seconds()
    return DemoFeedResult(len(meters), frames, source.readings_stored, seconds)


def _number(serial: str) -> str:
    return "".join(ch for ch in serial if ch.isdigit())[-8:]
