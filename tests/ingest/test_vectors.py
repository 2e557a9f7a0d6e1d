"""Every line of every corpus file decodes to its published values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from ingest_vectors import as_utc, case_id, cases, same_value, vectors_dir

from app.ingest.decoders import DecodedFrame, DecodeError, decode_any
from app.ingest.decoders.dlms import notification_body_offset
from app.ingest.decoders.dlms_cipher import decrypt_ciphered
from app.ingest.decoders.frame_decoder import FrameDecoder
from app.ingest.decoders.p1 import decode_p1_telegram

pytestmark = pytest.mark.skipif(not vectors_dir().exists(), reason="shared/vectors not found")

ALL_CASES = cases("han_hdlc.jsonl", "dlms_gcm.jsonl", "p1.jsonl", "wmbus_kamstrup.jsonl")

# Where the library that produced `expected` is wrong, and we deliberately differ.
# amshan names every OBIS-tagged list "Aidon"; the list id EMBRIQ_V1_1 says Landis+Gyr.
# wmbusmeters normalises the unset date 0000 through mktime() to 1999-11-30; we report no date.
KNOWN_DEVIATIONS: dict[tuple[str, str], Any] = {
    ("Landis+Gyr E350 (NO)", "meter_manufacturer"): {"Aidon", "Landis+Gyr"},
    ("Kamstrup kamheat id 30303030", "target_date"): {None, "1999-11-30"},
}

WMBUS_IGNORED = {"_", "name", "meter"}

# dsmr_parser names -> OBIS register
DSMR_REGISTERS = {
    "P1_MESSAGE_HEADER": "1-3:0.2.8",
    "EQUIPMENT_IDENTIFIER": "0-0:96.1.1",
    "EQUIPMENT_IDENTIFIER_GAS": "0-0:96.1.0",
    "EQUIPMENT_SERIAL_NUMBER": "0-0:96.1.0",
    "BELGIUM_EQUIPMENT_IDENTIFIER": "0-0:96.1.1",
    "BELGIUM_VERSION_INFORMATION": "0-0:96.1.4",
    "COSEM_LOGICAL_DEVICE_NAME": "0-0:42.0.0",
    "ELECTRICITY_IMPORTED_TOTAL": "1-0:1.8.0",
    "ELECTRICITY_EXPORTED_TOTAL": "1-0:2.8.0",
    "ELECTRICITY_REACTIVE_IMPORTED_TOTAL": "1-0:3.8.0",
    "ELECTRICITY_REACTIVE_EXPORTED_TOTAL": "1-0:4.8.0",
    "ELECTRICITY_REACTIVE_TOTAL_Q1": "1-0:5.8.0",
    "ELECTRICITY_REACTIVE_TOTAL_Q2": "1-0:6.8.0",
    "ELECTRICITY_REACTIVE_TOTAL_Q3": "1-0:7.8.0",
    "ELECTRICITY_REACTIVE_TOTAL_Q4": "1-0:8.8.0",
    "ELECTRICITY_COMBINED": "1-0:15.8.0",
    "ELECTRICITY_ACTIVE_TARIFF": "0-0:96.14.0",
    "CURRENT_ELECTRICITY_USAGE": "1-0:1.7.0",
    "CURRENT_ELECTRICITY_DELIVERY": "1-0:2.7.0",
    "ACTUAL_TRESHOLD_ELECTRICITY": "0-0:17.0.0",
    "ACTUAL_SWITCH_POSITION": "0-0:96.3.10",
    "TEXT_MESSAGE_CODE": "0-0:96.13.1",
    "TEXT_MESSAGE": "0-0:96.13.0",
    "SHORT_POWER_FAILURE_COUNT": "0-0:96.7.21",
    "LONG_POWER_FAILURE_COUNT": "0-0:96.7.9",
    "POWER_EVENT_FAILURE_LOG": "1-0:99.97.0",
    "BELGIUM_CURRENT_AVERAGE_DEMAND": "1-0:1.4.0",
    "BELGIUM_MAXIMUM_DEMAND_MONTH": "1-0:1.6.0",
    "FREQUENCY": "1-0:14.7.0",
    "INSTANTANEOUS_POWER_FACTOR_TOTAL": "1-0:13.7.0",
}
for _tariff in range(1, 5):
    DSMR_REGISTERS[f"ELECTRICITY_USED_TARIFF_{_tariff}"] = f"1-0:1.8.{_tariff}"
    DSMR_REGISTERS[f"ELECTRICITY_DELIVERED_TARIFF_{_tariff}"] = f"1-0:2.8.{_tariff}"
for _phase, _base in ((1, 20), (2, 40), (3, 60)):
    DSMR_REGISTERS[f"INSTANTANEOUS_ACTIVE_POWER_L{_phase}_POSITIVE"] = f"1-0:{_base + 1}.7.0"
    DSMR_REGISTERS[f"INSTANTANEOUS_ACTIVE_POWER_L{_phase}_NEGATIVE"] = f"1-0:{_base + 2}.7.0"
    DSMR_REGISTERS[f"INSTANTANEOUS_CURRENT_L{_phase}"] = f"1-0:{_base + 11}.7.0"
    DSMR_REGISTERS[f"INSTANTANEOUS_VOLTAGE_L{_phase}"] = f"1-0:{_base + 12}.7.0"
    DSMR_REGISTERS[f"INSTANTANEOUS_POWER_FACTOR_L{_phase}"] = f"1-0:{_base + 13}.7.0"
    DSMR_REGISTERS[f"FUSE_THRESHOLD_L{_phase}"] = f"1-0:{_base + 11}.4.0"
    DSMR_REGISTERS[f"VOLTAGE_SAG_L{_phase}_COUNT"] = f"1-0:{_base + 12}.32.0"
    DSMR_REGISTERS[f"VOLTAGE_SWELL_L{_phase}_COUNT"] = f"1-0:{_base + 12}.36.0"
for _quadrant in range(1, 5):
    DSMR_REGISTERS[f"INSTANTANEOUS_REACTIVE_POWER_Q{_quadrant}"] = f"1-0:{_quadrant + 4}.7.0"

# telegram unit -> factor to the unit the decoder stores
TO_BASE_UNIT = {"kWh": 1000, "kW": 1000, "kvarh": 1000, "kvar": 1000, "kVArh": 1000, "kVAr": 1000}


def _assert_value(row: dict[str, Any], name: str, expected: Any, got: Any) -> None:
    allowed = KNOWN_DEVIATIONS.get((row.get("meter", ""), name))
    if allowed is not None:
        assert got in allowed, f"{name}: {got!r} not in {allowed!r}"
        return
    assert same_value(expected, got), f"{name}: expected {expected!r}, got {got!r}"


def _field_for_register(frame: DecodedFrame, register: str) -> str | None:
    full = register if register.count(".") == 3 else f"{register}.255"
    return next((name for name, code in frame.registers.items() if code == full), None)


def _check_han(row: dict[str, Any]) -> None:
    frame = decode_any(bytes.fromhex(row["hex"]))
    for name, expected in row["expected"].items():
        if name == "meter_datetime":
            assert frame.meter_datetime == as_utc(expected)
            continue
        _assert_value(row, name, expected, frame.values.get(name))
        if name in row.get("units", {}) and name in frame.values:
            assert frame.units[name] == row["units"][name]


def _check_dlms(row: dict[str, Any]) -> None:
    key = bytes.fromhex(row["key"])
    auth_key = bytes.fromhex(row["authentication_key"]) if row["authentication_key"] else None
    expected = row["expected"]
    if not row["hex"].startswith(("db", "68")):
        # The Green Book example is the ciphered part only; its header values are given apart.
        plaintext = decrypt_ciphered(
            bytes.fromhex(row["system_title"]),
            int(row["security_control"], 16),
            int(row["invocation_counter"], 16),
            bytes.fromhex(row["hex"]),
            key,
            auth_key,
        )
        assert plaintext.hex() == expected["plaintext"]
        return
    frame = decode_any(bytes.fromhex(row["hex"]), key=key, auth_key=auth_key)
    assert frame.plaintext is not None
    assert frame.plaintext.hex() == expected["plaintext"]
    decoded = expected.get("decoded", {})
    if "body" in decoded:
        offset, header_time = notification_body_offset(frame.plaintext)
        assert frame.plaintext[offset:].hex() == decoded["body"]
        if decoded.get("date_time") in (None, "None"):
            assert header_time is None
    if decoded.get("date_time") not in (None, "None"):
        assert frame.meter_datetime == as_utc(decoded["date_time"])
    for register, published in row.get("obis", {}).items():
        name = _field_for_register(frame, register)
        assert name is not None, f"register {register} missing"
        assert same_value(published["value"], frame.values[name]), register
        if published.get("unit"):
            assert frame.units[name] == published["unit"]


def _check_p1_dsmr(row: dict[str, Any], frame: DecodedFrame) -> None:
    for name, expected in row["expected"].items():
        if isinstance(expected, str):
            continue  # reprs of dsmr_parser objects (MBUS_DEVICES, ...): nothing to compare
        if name == "P1_MESSAGE_TIMESTAMP":
            assert frame.meter_datetime == as_utc(expected["value"])
            continue
        field = _field_for_register(frame, DSMR_REGISTERS[name])
        got = frame.values.get(field) if field else None
        if name == "POWER_EVENT_FAILURE_LOG":
            assert len(got) == expected["buffer_length"]
            for (moment, duration), entry in zip(got, expected["buffer"], strict=True):
                assert moment == as_utc(entry["datetime"])
                assert duration == entry["value"]
            continue
        factor = TO_BASE_UNIT.get(expected.get("unit") or "", 1)
        value = expected["value"]
        _assert_value(row, name, value * factor if isinstance(value, (int, float)) else value, got)
        if "datetime" in expected:
            assert frame.value_times[field] == as_utc(expected["datetime"])


def _check_p1_amshan(row: dict[str, Any], frame: DecodedFrame) -> None:
    for name, expected in row["expected"].items():
        if name == "meter_datetime":
            assert frame.meter_datetime == as_utc(expected)
        elif name == "meter_manufacturer_id":
            assert frame.manufacturer == expected
        elif name == "meter_type_id":
            assert frame.meter_type == expected
        elif name in ("meter_type", "meter_id"):
            # amshan's names for the equipment ids of electricity (0-0:96.1.1) and gas (0-1:96.1.0)
            register = "0-0:96.1.1" if name == "meter_type" else "0-1:96.1.0"
            _assert_value(row, name, expected, frame.values.get(_field_for_register(frame, register)))
        elif name[0].isdigit():
            # a bare C.D.E code: any register with that code
            field = next((f for f, code in frame.registers.items() if code.endswith(f":{name}.255")), None)
            _assert_value(row, name, expected, frame.values.get(field) if field else None)
        else:
            _assert_value(row, name, expected, frame.values.get(name))


def _check_p1(row: dict[str, Any]) -> None:
    frame = decode_any(row["text"])
    assert decode_any(bytes.fromhex(row["hex"])).values == frame.values
    if row["expected"] is None:
        # dsmr_parser failed on this one (and published nothing); values read off the telegram.
        assert frame.values["active_power_import_total"] == 6545766
        assert frame.units["active_power_import_total"] == "Wh"
        assert frame.registers["active_power_import_total"] == "1-0:1.8.0.255"
        assert frame.values["reactive_power_export"] == 166
        assert frame.meter_datetime == datetime(2022, 10, 6, 13, 50, 14, tzinfo=UTC)
        return
    if row["expected_by"].startswith("amshan"):
        _check_p1_amshan(row, frame)
    else:
        _check_p1_dsmr(row, frame)


def _check_wmbus(row: dict[str, Any]) -> None:
    key = bytes.fromhex(row["key"]) if row["key"] else None
    decoder = FrameDecoder()
    telegrams = [bytes.fromhex(part.replace("_", "")) for part in row["hex"].split(",")]
    if row["expected"] is None:
        with pytest.raises(DecodeError):
            for telegram in telegrams:
                decoder.decode(telegram, key=key)
        return
    # Several telegrams: a full frame teaches the layout of the compact frame after it.
    for telegram in telegrams:
        frame = decoder.decode(telegram, key=key)
    for name, expected in row["expected"].items():
        if name not in WMBUS_IGNORED:
            _assert_value(row, name, expected, frame.values.get(name))


CHECKS = {"han-hdlc": _check_han, "p1": _check_p1, "wmbus": _check_wmbus, "wmbus-plaintext": _check_wmbus}


@pytest.mark.parametrize("case", ALL_CASES, ids=[case_id(case) for case in ALL_CASES])
def test_vector_decodes_to_published_values(case: tuple[str, int, dict[str, Any]]) -> None:
    _, _, row = case
    kind = row["kind"]
    check = _check_dlms if kind.startswith("dlms-gcm") else CHECKS[kind]
    check(row)


def test_corpus_is_complete() -> None:
    counts = {
        name: sum(1 for case in ALL_CASES if case[0] == name)
        for name in ("han_hdlc.jsonl", "dlms_gcm.jsonl", "p1.jsonl", "wmbus_kamstrup.jsonl")
    }
    assert counts == {"han_hdlc.jsonl": 42, "dlms_gcm.jsonl": 3, "p1.jsonl": 15, "wmbus_kamstrup.jsonl": 58}


def test_p1_without_crc_is_accepted_and_a_bad_crc_rejected() -> None:
    row = next(row for _, _, row in ALL_CASES if row.get("kind") == "p1" and "!6796" in row["text"])
    assert decode_p1_telegram(row["text"]).values
    with pytest.raises(DecodeError, match="CRC"):
        decode_p1_telegram(row["text"].replace("(02.027*kW)", "(02.028*kW)"))
