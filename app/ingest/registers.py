"""From decoded frames to storable readings: register codes and units as the portal stores them.

Energy is kept in kWh (kvarh), power in kW (kvar), as the charts read them. HAN and P1 values
keep their OBIS code without the trailing `.255` (`1-0:1.8.0`); wireless and wired M-Bus fields
are named by what they measure for the meter's medium (`heat_energy`, `water_volume`).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, NamedTuple

from app.ingest.decoders import DecodedFrame
from app.ingest.decoders.reading import IDENTITY_FIELDS

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
_UNIT_CONVERSIONS = {
    "Wh": (0.001, "kWh"),
    "varh": (0.001, "kvarh"),
    "W": (0.001, "kW"),
    "var": (0.001, "kvar"),
    "VAh": (0.001, "kVAh"),
}
_OBIS = re.compile(r"^\d+-\d+:\d+\.\d+\.\d+(\.\d+)?$")
REGISTER_MAX = 32
_EXACT = 2**53  # integers below this in magnitude are exact as floats


class RawReading(NamedTuple):
    """A reading before its meter is resolved: `meter_ref` is what the meter calls itself.

    A named tuple (immutable, built in C): a worker builds tens of thousands a second, and a
    frozen dataclass costs over twice as much to build (issue 25)."""

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


# (source, media, field's register, unit) -> (stored register, stored unit, factor), or None for a
# field that is no reading (a wireless M-Bus counter without a unit). A few dozen entries in
# practice (one per register a make sends); bounded all the same against hostile field names.
_TRANSLATIONS: dict[tuple[str, str, str, str], tuple[str, str, float | None] | None] = {}
_TRANSLATIONS_LIMIT = 10_000


def _translation(source: str, media: str, register: str, unit: str) -> tuple[str, str, float | None] | None:
    key = (source, media, register, unit)
    try:
        return _TRANSLATIONS[key]
    except KeyError:
        pass
    translated: tuple[str, str, float | None] | None
    if source == "wmbus":
        named = _WMBUS_BY_MEDIA.get(media, {}).get(register) or _WMBUS_COMMON.get(register)
        if named is None and not unit:
            translated = None  # counters and flags without a unit are diagnostics, not readings
        else:
            register, unit = named or (register, unit)
            translated = (register, unit, None)
    else:
        register = _register_code(register)
        translated = (register, unit, None)
    if translated is not None:
        factor_unit = _UNIT_CONVERSIONS.get(translated[1])
        if factor_unit is not None:
            translated = (translated[0], factor_unit[1], factor_unit[0])
        translated = (translated[0][:REGISTER_MAX], translated[1][:8], translated[2])
    if len(_TRANSLATIONS) >= _TRANSLATIONS_LIMIT:
        _TRANSLATIONS.clear()
    _TRANSLATIONS[key] = translated
    return translated


def frame_readings(
    frame: DecodedFrame, receive_time: datetime, meter_ref: str | None = None
) -> list[RawReading]:
    """Numeric readings of a frame in stored registers and units; text fields are left out.

    The frame's scalar fields as `DecodedFrame.to_readings` gives them, read here directly: a
    worker turns tens of thousands of frames a second into readings (issue 25), and the register
    and unit of a field are worked out once per kind of field, not once per reading. A plain
    number (int or float, the common case) is told apart by its exact type before the slower
    checks, and the meter's clock is turned into seconds once per frame.
    """
    ref = meter_ref or frame.meter_id or ""
    source = frame.source
    media = str(frame.values.get("media", "")) if source == "wmbus" else ""
    default_time = frame.meter_datetime or receive_time
    default_ts = None if default_time is None else int(default_time.timestamp())
    registers, units, value_times = frame.registers, frame.units, frame.value_times
    layout = frame.layout
    if layout is not None and not value_times and default_ts is not None:
        return _layout_readings(frame, layout, source, media, ref, default_ts)
    out: list[RawReading] = []
    for name, value in frame.values.items():
        if name in IDENTITY_FIELDS:
            continue
        if value_times and name in value_times:
            at = value_times[name]
            ts = None if at is None else int(at.timestamp())
        else:
            ts = default_ts
        if ts is None:
            continue
        translated = _translation(source, media, registers.get(name, name), units.get(name) or "")
        if translated is not None:
            reading = _stored_reading(ref, ts, value, *translated)
            if reading is not None:
                out.append(reading)
    return out


def _stored_reading(
    ref: str, ts: int, value: Any, register: str, unit: str, factor: float | None
) -> RawReading | None:
    """The reading of one field's value in its stored unit; None for a value that is no number."""
    kind = type(value)
    if kind is not int and kind is not float:
        if value is None or isinstance(value, (str, bytes, list, tuple, dict)):
            return None  # a text field, or a value missing from the frame
        if isinstance(value, bool):
            value = int(value)
    if factor is not None:
        value = value * factor
    elif type(value) is int and -_EXACT < value < _EXACT:
        # A whole number of its unit, exact as a float: nothing to round, nothing infinite.
        return RawReading(ref, register, ts, float(value), unit)
    if not _is_finite(value):
        return None  # NaN or infinity (a DLMS float can carry them) is no reading
    # Rounding to micro-units gives back the decimal the meter sent (12345678 Wh -> 12345.678).
    return RawReading(ref, register, ts, round(float(value), 6), unit)


# (layout, source, media) -> (field, stored register, stored unit, factor) of each field that can
# be a reading: frames of one layout (a HAN list's parse plan) share their fields, registers and
# units, so this is worked out on a layout's first frame and only the values are read after.
_LAYOUT_FIELDS: dict[tuple[Any, str, str], list[tuple[str, str, str, float | None]]] = {}


def _layout_readings(
    frame: DecodedFrame, layout: Any, source: str, media: str, ref: str, ts: int
) -> list[RawReading]:
    """`frame_readings` for a frame of a known layout whose fields all carry the meter's clock."""
    key = (layout, source, media)
    fields = _LAYOUT_FIELDS.get(key)
    if fields is None:
        fields = []
        for name in frame.values:
            if name in IDENTITY_FIELDS:
                continue
            translated = _translation(
                source, media, frame.registers.get(name, name), frame.units.get(name) or ""
            )
            if translated is not None:
                fields.append((name, *translated))
        if len(_LAYOUT_FIELDS) >= _TRANSLATIONS_LIMIT:
            _LAYOUT_FIELDS.clear()
        _LAYOUT_FIELDS[key] = fields
    values = frame.values
    out: list[RawReading] = []
    for name, register, unit, factor in fields:
        reading = _stored_reading(ref, ts, values.get(name), register, unit, factor)
        if reading is not None:
            out.append(reading)
    return out
