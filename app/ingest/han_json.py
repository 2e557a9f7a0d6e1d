"""JSON that HAN readers publish over MQTT, as DecodedFrames with the same names and units as
decoded HAN frames (W, var, Wh, varh, V, A).

Recognised shapes:
- our own and the vectors' names, flat:
  `{"meter_id": …, "active_power_import": W, "active_power_import_total": Wh}`;
- AMS reader / AmsToMqttBridge:
  `{"data": {"id": …, "P": W, "PO": W, "Q": var, "I1": A, "U1": V, "tPI": kWh, …}}`;
- Tasmota SML:
  `{"Time": "…", "<meter>": {"Total_in": kWh, "Total_out": kWh, "Power_curr": W, "Meter_id": …}}`.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from app.ingest.decoders import DecodedFrame, DecodeError
from app.ingest.decoders.obis import REGISTER_BY_NAME, format_obis

# AMS reader short names -> (our name, factor to our unit)
_AMS_FIELDS = {
    "P": ("active_power_import", 1),
    "PO": ("active_power_export", 1),
    "Q": ("reactive_power_import", 1),
    "QO": ("reactive_power_export", 1),
    "I1": ("current_l1", 1),
    "I2": ("current_l2", 1),
    "I3": ("current_l3", 1),
    "U1": ("voltage_l1", 1),
    "U2": ("voltage_l2", 1),
    "U3": ("voltage_l3", 1),
    "tPI": ("active_power_import_total", 1000),
    "tPO": ("active_power_export_total", 1000),
    "tQI": ("reactive_power_import_total", 1000),
    "tQO": ("reactive_power_export_total", 1000),
}
_TASMOTA_FIELDS = {
    "total_in": ("active_power_import_total", 1000),
    "total_out": ("active_power_export_total", 1000),
    "power_curr": ("active_power_import", 1),
    "power_in": ("active_power_import", 1),
    "power_out": ("active_power_export", 1),
    "volt_p1": ("voltage_l1", 1),
    "volt_p2": ("voltage_l2", 1),
    "volt_p3": ("voltage_l3", 1),
    "amperage_p1": ("current_l1", 1),
    "amperage_p2": ("current_l2", 1),
    "amperage_p3": ("current_l3", 1),
}
_ID_KEYS = ("meter_id", "id", "meter_number", "meter_id_str", "serial")


def _time(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and value > 1e9:
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            # e.g. `"rtc": 1e20`: no clock can show it, and the message cannot be dated.
            raise DecodeError(f"meter time {value!r} out of range") from None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _finite(name: str, value: int | float) -> int | float:
    # Python's JSON reader accepts NaN and Infinity (and 1e999 becomes inf): none is a reading.
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        finite = False
    if not finite:
        raise DecodeError(f"{name} is not a finite number")
    return value


def _frame(values: dict[str, Any], meter_id: str | None, clock: datetime | None) -> DecodedFrame:
    frame = DecodedFrame(meter_id=meter_id, meter_datetime=clock, source="han-json")
    for name, value in values.items():
        register = REGISTER_BY_NAME.get(name)
        if register is None or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        _finite(name, value)
        frame.values[name] = value
        if register.unit:
            frame.units[name] = register.unit
        frame.registers[name] = format_obis(register.obis)
    if not frame.values:
        raise DecodeError("no known readings in the JSON message")
    return frame


def _mapped(
    source: dict[str, Any], fields: dict[str, tuple[str, int]], lower: bool = False
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in source.items():
        known = fields.get(key.lower() if lower else key)
        if known is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            values[known[0]] = _finite(key, value * known[1])
    return values


def decode_han_json(payload: bytes | str) -> DecodedFrame:
    """A HAN reader's JSON message; DecodeError when it is not JSON or holds no known reading."""
    try:
        message = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise DecodeError("not JSON") from None
    if not isinstance(message, dict):
        raise DecodeError("JSON message is not an object")
    data = message.get("data")
    if isinstance(data, dict) and any(key in data for key in _AMS_FIELDS):
        meter_id = next((str(data[k]) for k in _ID_KEYS if data.get(k)), None)
        return _frame(_mapped(data, _AMS_FIELDS), meter_id, _time(data.get("rtc")) or _time(message.get("t")))
    if any(name in message for name in REGISTER_BY_NAME):
        meter_id = next((str(message[k]) for k in _ID_KEYS if message.get(k)), None)
        return _frame(message, meter_id, _time(message.get("meter_datetime")))
    for value in message.values():
        if isinstance(value, dict) and any(key.lower() in _TASMOTA_FIELDS for key in value):
            meter_id = next((str(value[k]) for k in value if k.lower() in _ID_KEYS and value[k]), None)
            return _frame(_mapped(value, _TASMOTA_FIELDS, lower=True), meter_id, _time(message.get("Time")))
    raise DecodeError("unrecognised JSON message")
