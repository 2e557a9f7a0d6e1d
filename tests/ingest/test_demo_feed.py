"""`demo-ingest`: frames through the worker give the same readings as the demo generator."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session, select

from app.demo import ELECTRICITY_REGISTER, HEAT_REGISTER, consumption_size, demo_readings
from app.ingest.demo_feed import run_demo_feed
from app.models import AuditEntry, Meter, MeterKey

UNTIL = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


def test_demo_feed_agrees_with_the_demo_generator(engine, tmp_path):
    result = run_demo_feed(engine, tmp_path / "spool.jsonl", days=1, until=UNTIL)
    assert result.meters == 60 and result.frames == 60 * 25
    with Session(engine) as db:
        meters = list(db.exec(select(Meter)))
        # Every heat meter's telegrams are encrypted (mode 5) with a key from the key table.
        heat_meters = [m for m in meters if m.medium == "heat"]
        # (The key service's demo units are keys of no metered installation: not counted.)
        metered_keys = db.exec(select(MeterKey).where(MeterKey.meter_id.is_not(None))).all()  # type: ignore[union-attr]
        assert len(metered_keys) == len(heat_meters) == 20
        assert db.exec(select(AuditEntry).where(AuditEntry.action == "key.view")).all()
    first_ts = int(UNTIL.replace(minute=0).timestamp()) - 86_400
    with engine.connect() as connection:
        stored = {
            (m, r, ts): (v, u, s)
            for m, r, ts, v, u, s in connection.execute(
                text(
                    "SELECT meter_id, register_code, ts, value, unit, source FROM reading "
                    "WHERE register_code IN (:e, :h)"
                ),
                {"e": ELECTRICITY_REGISTER, "h": HEAT_REGISTER},
            )
        }
    expected = {}
    for meter in meters:
        size = consumption_size(meter.id, meter.medium)
        for meter_id, register, ts, value, unit, source in demo_readings(meter.id, meter.medium, size, UNTIL):
            if ts >= first_ts:
                expected[(meter_id, register, ts)] = (value, unit, source)
    assert stored == expected
