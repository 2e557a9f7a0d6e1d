"""Readings from decoded frames, and parse plans that only fit their own layout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ingest_vectors import load, vectors_dir

from app.ingest.decoders import DecodedReading, decode_any
from app.ingest.decoders.dlms import strip_llc
from app.ingest.decoders.han_lists import HanListDecoder
from app.ingest.decoders.hdlc import decode_hdlc_frame

pytestmark = pytest.mark.skipif(not vectors_dir().exists(), reason="shared/vectors not found")
RECEIVED = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def _row(meter: str, list_name: str) -> dict:
    return next(r for r in load("han_hdlc.jsonl") if r["meter"] == meter and r.get("list") == list_name)


def test_han_readings_use_obis_registers_and_the_meter_clock() -> None:
    row = _row("Aidon", "no_list_3")
    frame = decode_any(bytes.fromhex(row["hex"]))
    readings = {reading.register: reading for reading in frame.to_readings(RECEIVED)}
    energy = readings["1-0:1.8.0.255"]
    assert energy == DecodedReading(
        meter_id="7359992892587665",
        register="1-0:1.8.0.255",
        timestamp=datetime(2020, 1, 21, 16, 0, tzinfo=UTC),
        value=22721380,
        unit="Wh",
    )
    assert "0-0:96.1.0.255" not in readings  # identity, not a measurement


def test_readings_without_meter_clock_use_receive_time() -> None:
    frame = decode_any(bytes.fromhex(_row("Aidon", "no_list_1")["hex"]))
    (reading,) = frame.to_readings(RECEIVED)
    assert (reading.register, reading.value, reading.unit, reading.timestamp) == (
        "1-0:1.7.0.255",
        280,
        "W",
        RECEIVED,
    )


def test_wmbus_readings_are_named_fields() -> None:
    row = next(r for r in load("wmbus_kamstrup.jsonl") if r["key"] and "total_m3" in (r["expected"] or {}))
    frame = decode_any(bytes.fromhex(row["hex"]), key=bytes.fromhex(row["key"]))
    readings = {reading.register: reading for reading in frame.to_readings(RECEIVED)}
    assert readings["total_m3"].value == pytest.approx(row["expected"]["total_m3"])
    assert readings["total_m3"].unit == "m3"
    assert readings["total_m3"].meter_id == row["expected"]["id"]
    assert "id" not in readings and "media" not in readings


def test_p1_gas_reading_keeps_its_own_capture_time() -> None:
    row = next(r for r in load("p1.jsonl") if "0-1:24.2.1(161129200000W)" in r["text"])
    frame = decode_any(row["text"])
    gas = next(r for r in frame.to_readings(RECEIVED) if r.register == "0-1:24.2.1.255")
    assert (gas.value, gas.unit) == (981.443, "m3")
    assert gas.timestamp == datetime(2016, 11, 29, 19, 0, tzinfo=UTC)


def test_a_plan_learned_from_a_damaged_frame_does_not_fit_the_good_one() -> None:
    row = _row("Aidon", "no_list_3")
    good = strip_llc(bytes.fromhex(row["hex"]))
    obis = bytes.fromhex("0100010800ff")  # active energy import
    damaged = good.replace(obis, bytes.fromhex("8100010800ff"))
    decoder = HanListDecoder()
    assert "active_power_import_total" not in decoder.decode_apdu(damaged).values
    assert decoder.decode_apdu(good).values["active_power_import_total"] == 22721380
    assert decoder.decode_apdu(good).values["active_power_import_total"] == 22721380


def test_the_second_frame_of_a_layout_decodes_like_the_first() -> None:
    rows = [r for r in load("han_hdlc.jsonl") if r["meter"].startswith("Kaifa MA304H4")]
    decoder = HanListDecoder()
    for row in rows + rows:  # the second round runs on learned plans
        information = decode_hdlc_frame(bytes.fromhex(row["hex"])).information
        frame = decoder.decode_apdu(strip_llc(information))
        assert frame.values["active_power_import"] == row["expected"]["active_power_import"]
        assert frame.meter_datetime is not None
