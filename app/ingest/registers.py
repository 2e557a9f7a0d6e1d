"""From decoded frames to storable readings: register codes and units as the portal stores them.

Energy is kept in kWh (kvarh), power in kW (kvar), as the charts read them. HAN and P1 values
keep their OBIS code without the trailing `.255` (`1-0:1.8.0`); wireless and wired M-Bus fields
are named by what they measure for the meter's medium (`heat_energy`, `water_volume`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from app.ingest.decoders import DecodedFrame

# Register names that are the same measurement in every medium.
_WMBUS_COMMON = {
    "total_m3": ("water_volume", "m3"),
    "target_m3": ("water_volume_target", "m3"),
    "flow_m3h": ("water_flow", "m3/h"),
    "volume_flow_m3h": ("volume_flow", "m3/h"),
    "t1_temperature_c": ("flow_temperature", "°C"),
    "t2_temperature_c": ("return_temperature", "°C"),
    "flow_temperature_c": ("flow_temperature", "°C"),
}
# (media, field) -> register: electricity meters' energy is the import register as on HAN.
_WMBUS_BY_MEDIA = {
    "heat": {
        "total_energy_consumption_kwh": ("heat_energy", "kWh"),
        "total_volume_m3": ("heat_volume", "m3"),
        "power_kw": ("heat_power", "kW"),
        "target_energy_kwh": ("heat_energy_target", "kWh"),
    },
    "electricity": {
        "total_energy_consumption_kwh": ("1-0:1.8.0", "kWh"),
        "total_energy_production_kwh": ("1-0:2.8.0", "kWh"),
        "current_power_consumption_kw": ("1-0:1.7.0", "kW"),
        "current_power_production_kw": ("1-0:2.7.0", "kW"),
        "power_kw": ("1-0:1.7.0", "kW"),
    },
}
# Conversions to the stored unit: factor and new unit.
_UNIT_CONVERSIONS = {"Wh": (0.001, "kWh"), "varh": (0.001, "kvarh"), "W": (0.001, "kW"),
                     "var": (0.001, "kvar"), "VAh": (0.001, "kVAh")}  # fmt: skip
_OBIS = re.compile(r"^\d+-\d+:\d+\.\d+\.\d+(\.\d+)?$")
REGISTER_MAX = 32


@dataclass(frozen=True, slots=True)
class RawReading:
    """A reading before its meter is resolved: `meter_ref` is what the meter calls itself."""

    meter_ref: str
    register: str
    ts: int
    value: float
    unit: str


def _register_code(register: str) -> str:
    if _OBIS.match(register) and register.count(".") == 3 and register.endswith(".255"):
        return register[: -len(".255")]
    return register


def _is_finite(value: float | int) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        return False


def frame_readings(
    frame: DecodedFrame, receive_time: datetime, meter_ref: str | None = None
) -> list[RawReading]:
    """Numeric readings of a frame in stored registers and units; text fields are left out."""
    ref = meter_ref or frame.meter_id or ""
    media = str(frame.values.get("media", "")) if frame.source == "wmbus" else ""
    by_media = _WMBUS_BY_MEDIA.get(media, {})
    out: list[RawReading] = []
    for reading in frame.to_readings(receive_time):
        value = reading.value
        if isinstance(value, str) or reading.timestamp is None:
            continue
        unit = reading.unit or ""
        register = reading.register
        if frame.source == "wmbus":
            named = by_media.get(register) or _WMBUS_COMMON.get(register)
            if named is None and not unit:
                continue  # counters and flags without a unit are diagnostics, not readings
            register, unit = named or (register, unit)
        else:
            register = _register_code(register)
        factor_unit = _UNIT_CONVERSIONS.get(unit)
        if factor_unit is not None:
            value = value * factor_unit[0]
            unit = factor_unit[1]
        if not _is_finite(value):
            continue  # NaN or infinity (a DLMS float can carry them) is no reading
        # Rounding to micro-units gives back the decimal the meter sent (12345678 Wh -> 12345.678).
        out.append(
            RawReading(ref, register[:REGISTER_MAX], int(reading.timestamp.timestamp()),
                       round(float(value), 6), unit[:8])
        )  # fmt: skip
    return out
