"""Kamstrup em24 electricity meters (em24)."""

from __future__ import annotations

import math
from typing import Any

from app.ingest.decoders.mbus_records import BACKWARD_FLOW, MbusRecord
from app.ingest.decoders.wmbus_drivers import Detect, Driver, Example, FieldRule, FlagRule, status_text

_EM24_FLAGS = {
    0x01: "V_1_OVERFLOW",
    0x02: "V_2_OVERFLOW",
    0x04: "V_3_OVERFLOW",
    0x08: "I_1_OVERFLOW",
    0x10: "I_2_OVERFLOW",
    0x20: "I_3_OVERFLOW",
    0x40: "FREQUENCY",
}


def _em24_derived(records: list[MbusRecord], tpl_status: int | None, values: dict[str, Any]) -> None:
    rules = (FlagRule(_EM24_FLAGS, quantity="error_flags", mask=0xFF),)
    values["status"] = status_text(rules, records, tpl_status) or "OK"
    values["error"] = status_text(rules, records, tpl_status, default="") or ""
    for direction in ("consumption", "production"):
        active = values.get(f"total_energy_{direction}_kwh")
        reactive = values.get(f"total_reactive_energy_{direction}_kvarh")
        if active is not None and reactive is not None:
            # Apparent energy from its active and reactive parts, as the meter does not send it.
            values[f"total_apparent_energy_{direction}_kvah"] = math.hypot(active, reactive)
    raw_frequency = values.pop("raw_frequency", None)
    values["frequency_hz"] = raw_frequency / 10 if raw_frequency is not None else None


DRIVER = Driver(
    "em24",
    (
        FieldRule("total_energy_consumption_kwh", "energy"),
        FieldRule("total_energy_production_kwh", "energy", combinables=(BACKWARD_FLOW,)),
        FieldRule("power_kw", "power"),
        FieldRule("total_reactive_energy_consumption_kvarh", difvif=bytes.fromhex("04FB8275")),
        FieldRule("total_reactive_energy_production_kvarh", difvif=bytes.fromhex("04FB82F53C")),
        FieldRule("raw_frequency", difvif=bytes.fromhex("02FB2E")),
    ),
    _em24_derived,
    detect=(Detect("KAM", frozenset({0x02}), frozenset({0x33})),),
    formats=("040504FB827504853C04FB82F53C01FD17",),
    examples=(
        # 30.0 kWh and 40 kvarh drawn (apparent 50 kVAh), 1.0 kWh fed in; error flag 0x01.
        Example(
            "2C442D2C0189674533027804052C01000004FB82752800000004853C0A00000004FB82F53C0000000001FD1701",
            {
                "media": "electricity",
                "id": "45678901",
                "total_energy_consumption_kwh": 30.0,
                "total_energy_production_kwh": 1.0,
                "total_reactive_energy_consumption_kvarh": 40,
                "total_reactive_energy_production_kvarh": 0,
                "total_apparent_energy_consumption_kvah": 50.0,
                "total_apparent_energy_production_kvah": 1.0,
                "status": "V_1_OVERFLOW",
                "error": "V_1_OVERFLOW",
            },
        ),
    ),
    maker="Kamstrup",
)
