"""Kamstrup wireless M-Bus meters: MULTICAL 21 / flowIQ (kamwater), MULTICAL 30x/40x/60x/80x
(kamheat), OMNIPOWER (omnipower), em24 electricity and the pressure sensor (kampress).

Kamstrup sends compact frames (CI 0x79) that leave out the record headers; their format
signature names a header layout. The layouts below are the ones these meters are known to send
(seen in their full frames); a decoder also learns new ones from full frames it decodes.
"""

from __future__ import annotations

import math
from typing import Any

from app.ingest.decoders.mbus_records import AT_ERROR, BACKWARD_FLOW, MAXIMUM, MINIMUM, MbusRecord
from app.ingest.decoders.wmbus_drivers import Driver, FieldRule, FlagRule, status_text

KNOWN_FORMATS = [
    # MULTICAL 21 / flowIQ
    "02FF2004134413615B6167",
    "02FF20041392013BA1015B8101E7FF0F",
    "02FF2004134413A1015B8101E7FF0F",
    "02FF2004134413615B5167",
    "02FF2004134413",
    # MULTICAL 30x / 40x / 60x / 80x
    "02F9FF15040604EEFF0704EEFF0804148440148480401402FD17026C426C44064414C44014C4804014043B0259025D",
    "030643060314426C022D01FF21",
    "030E430E0313426C022D01FF21",
    "040604FF0704FF080414043B0259025D04FF22026C44064414426C",
    "040F04FF0704FF08041484401484804014043B0259025D142D84100F84200F04FF22026C440F4414C44014C4804014426C",
    "0406041404FF0704FF080259025D023B02FF22026C44064414426C",
    # OMNIPOWER
    "040404843C042B04AB3C",
    # em24
    "040504FB827504853C04FB82F53C01FD17",
    # pressure sensor
    "22691269026905FF0905FF0A02FD17",
]

_WATER_FLAGS = {0x01: "DRY", 0x02: "REVERSE", 0x04: "LEAK", 0x08: "BURST"}
_WATER_FLAGS_32 = {**_WATER_FLAGS, 0x10: "TAMPER", 0x20: "LOW_BATTERY", 0x40: "LOW_AMBIENT_TEMPERATURE",
                   0x80: "FLOW_ABOVE_Q4", 0x200: "NO_CONSUMPTION"}  # fmt: skip
_DURATIONS = ("", "1-8 hours", "9-24 hours", "2-3 days", "4-7 days", "8-14 days", "15-21 days", "22-31 days")
_WATER_INFO = bytes.fromhex("02FF20")


def _kamwater_status(records: list[MbusRecord], tpl_status: int | None, values: dict[str, Any]) -> None:
    rules = [
        FlagRule(_WATER_FLAGS_32, difvif=bytes.fromhex("04FF23")),
        FlagRule(_WATER_FLAGS, difvif=_WATER_INFO, mask=0x000F),
    ]
    status = status_text(rules, records, tpl_status)
    if status is not None:
        values["status"] = status
    info = next((r for r in records if r.difvif == _WATER_INFO), None)
    if info is None:
        return
    word = int(info.raw or 0)
    values["current_status"] = " ".join(sorted(n for bit, n in _WATER_FLAGS.items() if word & bit))
    values["time_dry"] = _DURATIONS[(word >> 4) & 0x07]
    values["time_reversed"] = _DURATIONS[(word >> 7) & 0x07]
    values["time_leaking"] = _DURATIONS[(word >> 10) & 0x07]
    values["time_bursting"] = _DURATIONS[(word >> 13) & 0x07]


KAMWATER = Driver(
    "kamwater",
    (
        FieldRule("total_m3", "volume"),
        FieldRule("target_m3", "volume", storages=(1,)),
        FieldRule("target_date", "date", storages=(1,)),
        FieldRule("flow_m3h", "volume_flow"),
        FieldRule("flow_temperature_c", "flow_temperature", MINIMUM, storages=(1, 2)),
        FieldRule("min_external_temperature_last_month_c", "external_temperature", MINIMUM, storages=(1,)),
        FieldRule("min_external_temperature_last_day_c", "external_temperature", MINIMUM, storages=(2,)),
        FieldRule("max_external_temperature_c", "external_temperature", MAXIMUM, storages=(1,)),
        FieldRule("max_flow_m3h", "volume_flow", MAXIMUM, storages=(2,)),
        FieldRule("min_flow_m3h", "volume_flow", MINIMUM, storages=(2,)),
        FieldRule("min_flow_temperature_c", "flow_temperature", MINIMUM, storages=(2,)),
        FieldRule("max_flow_temperature_c", "flow_temperature", MAXIMUM, storages=(2,)),
    ),
    _kamwater_status,
)

_HEAT_FLAGS_32 = dict(
    enumerate(
        [
            "VOLTAGE_INTERRUPTED", "LOW_BATTERY_LEVEL", "SENSOR_ERROR", "SENSOR_T1_ABOVE_MEASURING_RANGE",
            "SENSOR_T2_ABOVE_MEASURING_RANGE", "SENSOR_T1_BELOW_MEASURING_RANGE",
            "SENSOR_T2_BELOW_MEASURING_RANGE", "TEMP_DIFF_WRONG_POLARITY", "FLOW_SENSOR_WEAK_OR_AIR",
            "WRONG_FLOW_DIRECTION", "RESERVED_BIT_10", "FLOW_INCREASED", "IN_A1_LEAKAGE_IN_THE_SYSTEM",
            "IN_B1_LEAKAGE_IN_THE_SYSTEM", "IN_A1_A2_EXTERNAL_ALARM", "IN_B1_B2_EXTERNAL_ALARM",
            "V1_COMMUNICATION_ERROR", "V1_WRONG_PULSE_FIGURE", "IN_A2_LEAKAGE_IN_THE_SYSTEM",
            "IN_B2_LEAKAGE_IN_THE_SYSTEM", "T3_ABOVE_MEASURING_RANGE_OR_SWITCHED_OFF",
            "T3_BELOW_MEASURING_RANGE_OR_SWITCHED_OFF", "V2_COMMUNICATION_ERROR", "V2_WRONG_PULSE_FIGURE",
            "V2_AIR", "V2_WRONG_FLOW_DIRECTION", "RESERVED_BIT_26", "V2_INCREASED_FLOW",
            "V1_V2_BURST_WATER_LOSS", "V1_V2_BURST_WATER_PENETRATION", "V1_V2_LEAKAGE_WATER_LOSS",
            "V1_V2_LEAKAGE_WATER_PENETRATION",
        ]
    )
)  # fmt: skip
_HEAT_FLAGS_32 = {1 << bit: name for bit, name in _HEAT_FLAGS_32.items()}
_HEAT_FLAGS_16 = {bit: name for bit, name in _HEAT_FLAGS_32.items() if bit < 0x1000 and bit != 0x04}
_HEAT_FLAGS_16[0x04] = "RESERVED_BIT_2"
_HEAT_ERROR_FLAGS = {
    0x0001: "VOLTAGE_INTERRUPTED", 0x0004: "SENSOR_T2_OUTSIDE_MEASURING_RANGE",
    0x0008: "SENSOR_T1_OUTSIDE_MEASURING_RANGE", 0x0010: "V1_COMMUNICATION_ERROR",
    0x0020: "SENSOR_T3_OUTSIDE_MEASURING_RANGE", 0x0040: "LEAKAGE_COLD_WATER",
    0x0080: "V2_WRONG_PULSE_FIGURE", 0x0100: "LEAKAGE_HOT_WATER", 0x0200: "BURST_WATER_LOSS",
    0x0400: "V2_COMMUNICATION_ERROR", 0x0800: "V1_WRONG_PULSE_FIGURE", 0x1000: "V1_AIR",
    0x2000: "V2_AIR", 0x4000: "V1_WRONG_FLOW_DIRECTION", 0x8000: "V2_WRONG_FLOW_DIRECTION",
}  # fmt: skip
_HEAT_STATUS_RULES = (
    FlagRule(_HEAT_FLAGS_32, difvif=bytes.fromhex("04FF22")),
    FlagRule(_HEAT_FLAGS_16, difvif=bytes.fromhex("02FF22"), mask=0xFFFF),
    FlagRule(_HEAT_ERROR_FLAGS, quantity="error_flags", mask=0xFFFF),
)


def _kamheat_status(records: list[MbusRecord], tpl_status: int | None, values: dict[str, Any]) -> None:
    status = status_text(_HEAT_STATUS_RULES, records, tpl_status)
    values["status"] = status if status is not None else "OK"


_SUBUNIT_FIELDS = tuple(
    FieldRule(f"{prefix}_volume_subunit{subunit}_m3", "volume", storages=(storage,), subunit=subunit)
    for prefix, storage in (("total", 0), ("target", 1))
    for subunit in (1, 2)
)

KAMHEAT = Driver(
    "kamheat",
    (
        FieldRule("total_energy_consumption_kwh", "energy"),
        FieldRule("total_energy_backward_kwh", "energy", combinables=(BACKWARD_FLOW,)),
        FieldRule("total_volume_m3", "volume"),
        FieldRule("volume_flow_m3h", "volume_flow"),
        FieldRule("power_kw", "power"),
        FieldRule("max_power_kw", "power", MAXIMUM),
        FieldRule("t1_temperature_c", "flow_temperature"),
        FieldRule("t2_temperature_c", "return_temperature"),
        FieldRule("flow_return_temperature_difference_c", "temperature_difference"),
        FieldRule("max_flow_m3h", "volume_flow", MAXIMUM),
        FieldRule("forward_energy_m3c", difvif=bytes.fromhex("04FF07")),
        FieldRule("return_energy_m3c", difvif=bytes.fromhex("04FF08")),
        FieldRule("target_energy_kwh", "energy", storages=(1,)),
        FieldRule("target_energy_backward_kwh", "energy", storages=(1,), combinables=(BACKWARD_FLOW,)),
        FieldRule("target_volume_m3", "volume", storages=(1,)),
        *_SUBUNIT_FIELDS,
        FieldRule("operating_time_h", "operating_time", combinables=(0x7F, 0x21)),
        FieldRule("on_time_h", "on_time"),
        FieldRule("on_time_at_error_h", "on_time", AT_ERROR),
        FieldRule("meter_date", "date"),
        FieldRule("meter_datetime", "datetime"),
        FieldRule("target_date", "date", storages=(1,)),
        FieldRule("fabrication_no", "fabrication_no"),
        FieldRule("enhanced_id", difvif=bytes.fromhex("02F9FF15")),
        FieldRule("va_counter", difvif=bytes.fromhex("04EEFF07")),
        FieldRule("vb_counter", difvif=bytes.fromhex("04EEFF08")),
    ),
    _kamheat_status,
)

OMNIPOWER = Driver(
    "omnipower",
    (
        FieldRule("total_energy_consumption_kwh", "energy"),
        FieldRule("total_energy_production_kwh", "energy", combinables=(BACKWARD_FLOW,)),
        FieldRule("current_power_consumption_kw", "power"),
        FieldRule("current_power_production_kw", "power", combinables=(BACKWARD_FLOW,)),
    ),
)

_EM24_FLAGS = {0x01: "V_1_OVERFLOW", 0x02: "V_2_OVERFLOW", 0x04: "V_3_OVERFLOW", 0x08: "I_1_OVERFLOW",
               0x10: "I_2_OVERFLOW", 0x20: "I_3_OVERFLOW", 0x40: "FREQUENCY"}  # fmt: skip


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


EM24 = Driver(
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
)

_PRESSURE_FLAGS = {
    0x01: "DROP",
    0x02: "SURGE",
    0x04: "HIGH",
    0x08: "LOW",
    0x10: "TRANSIENT",
    0x20: "COMM_ERROR",
}


def _kampress_status(records: list[MbusRecord], tpl_status: int | None, values: dict[str, Any]) -> None:
    rules = (FlagRule(_PRESSURE_FLAGS, quantity="error_flags", mask=0xFFFF),)
    values["status"] = status_text(rules, records, tpl_status) or "OK"


KAMPRESS = Driver(
    "kampress",
    (
        FieldRule("pressure_bar", "pressure"),
        FieldRule("max_pressure_bar", "pressure", MAXIMUM),
        FieldRule("min_pressure_bar", "pressure", MINIMUM),
        FieldRule("alfa_counter", difvif=bytes.fromhex("05FF09")),
        FieldRule("beta_counter", difvif=bytes.fromhex("05FF0A")),
    ),
    _kampress_status,
)

_HEAT_VERSIONS = {0x19, 0x1C, 0x30, 0x34, 0x35, 0x39, 0x40}
_HEAT_TYPES = {0x04, 0x0A, 0x0B, 0x0C, 0x0D}


def driver_for(manufacturer: str, version: int, device_type: int) -> Driver | None:
    """The driver of a meter, from its manufacturer, version and device type."""
    if manufacturer == "KAM":
        if version in (0x1B, 0x1D) and device_type in (0x06, 0x16):
            return KAMWATER
        if version in _HEAT_VERSIONS and device_type in _HEAT_TYPES:
            return KAMHEAT
        if (version, device_type) == (0x30, 0x02):
            return OMNIPOWER
        if (version, device_type) == (0x33, 0x02):
            return EM24
        if (version, device_type) == (0x01, 0x18):
            return KAMPRESS
    if manufacturer == "KAW" and device_type in (0x06, 0x16):
        return KAMWATER
    return None
