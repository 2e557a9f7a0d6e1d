"""Kamstrup MULTICAL 30x / 40x / 60x / 80x heat meters (kamheat)."""

from __future__ import annotations

from typing import Any

from app.ingest.decoders.mbus_records import AT_ERROR, BACKWARD_FLOW, MAXIMUM, MbusRecord
from app.ingest.decoders.wmbus_drivers import Detect, Driver, Example, FieldRule, FlagRule, status_text

_HEAT_FLAGS_32 = dict(
    enumerate(
        [
            "VOLTAGE_INTERRUPTED",
            "LOW_BATTERY_LEVEL",
            "SENSOR_ERROR",
            "SENSOR_T1_ABOVE_MEASURING_RANGE",
            "SENSOR_T2_ABOVE_MEASURING_RANGE",
            "SENSOR_T1_BELOW_MEASURING_RANGE",
            "SENSOR_T2_BELOW_MEASURING_RANGE",
            "TEMP_DIFF_WRONG_POLARITY",
            "FLOW_SENSOR_WEAK_OR_AIR",
            "WRONG_FLOW_DIRECTION",
            "RESERVED_BIT_10",
            "FLOW_INCREASED",
            "IN_A1_LEAKAGE_IN_THE_SYSTEM",
            "IN_B1_LEAKAGE_IN_THE_SYSTEM",
            "IN_A1_A2_EXTERNAL_ALARM",
            "IN_B1_B2_EXTERNAL_ALARM",
            "V1_COMMUNICATION_ERROR",
            "V1_WRONG_PULSE_FIGURE",
            "IN_A2_LEAKAGE_IN_THE_SYSTEM",
            "IN_B2_LEAKAGE_IN_THE_SYSTEM",
            "T3_ABOVE_MEASURING_RANGE_OR_SWITCHED_OFF",
            "T3_BELOW_MEASURING_RANGE_OR_SWITCHED_OFF",
            "V2_COMMUNICATION_ERROR",
            "V2_WRONG_PULSE_FIGURE",
            "V2_AIR",
            "V2_WRONG_FLOW_DIRECTION",
            "RESERVED_BIT_26",
            "V2_INCREASED_FLOW",
            "V1_V2_BURST_WATER_LOSS",
            "V1_V2_BURST_WATER_PENETRATION",
            "V1_V2_LEAKAGE_WATER_LOSS",
            "V1_V2_LEAKAGE_WATER_PENETRATION",
        ]
    )
)
_HEAT_FLAGS_32 = {1 << bit: name for bit, name in _HEAT_FLAGS_32.items()}
_HEAT_FLAGS_16 = {bit: name for bit, name in _HEAT_FLAGS_32.items() if bit < 0x1000 and bit != 0x04}
_HEAT_FLAGS_16[0x04] = "RESERVED_BIT_2"
_HEAT_ERROR_FLAGS = {
    0x0001: "VOLTAGE_INTERRUPTED",
    0x0004: "SENSOR_T2_OUTSIDE_MEASURING_RANGE",
    0x0008: "SENSOR_T1_OUTSIDE_MEASURING_RANGE",
    0x0010: "V1_COMMUNICATION_ERROR",
    0x0020: "SENSOR_T3_OUTSIDE_MEASURING_RANGE",
    0x0040: "LEAKAGE_COLD_WATER",
    0x0080: "V2_WRONG_PULSE_FIGURE",
    0x0100: "LEAKAGE_HOT_WATER",
    0x0200: "BURST_WATER_LOSS",
    0x0400: "V2_COMMUNICATION_ERROR",
    0x0800: "V1_WRONG_PULSE_FIGURE",
    0x1000: "V1_AIR",
    0x2000: "V2_AIR",
    0x4000: "V1_WRONG_FLOW_DIRECTION",
    0x8000: "V2_WRONG_FLOW_DIRECTION",
}
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

DRIVER = Driver(
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
    detect=(
        Detect(
            "KAM",
            frozenset({0x04, 0x0A, 0x0B, 0x0C, 0x0D}),
            frozenset({0x19, 0x1C, 0x30, 0x34, 0x35, 0x39, 0x40}),
        ),
    ),
    formats=(
        "02F9FF15040604EEFF0704EEFF0804148440148480401402FD17026C426C44064414C44014C4804014043B0259025D",
        "030643060314426C022D01FF21",
        "030E430E0313426C022D01FF21",
        "040604FF0704FF080414043B0259025D04FF22026C44064414426C",
        "040F04FF0704FF08041484401484804014043B0259025D142D84100F84200F04FF22026C440F4414C44014C4804014426C",
        "0406041404FF0704FF080259025D023B02FF22026C44064414426C",
    ),
    examples=(
        # 1234 kWh, 56.78 m3, flow 65.43 °C, return 40.21 °C; no flag record: status OK.
        Example(
            "1E442D2C896745231C04780406D204000004142E16000002598F19025DB50F",
            {
                "media": "heat",
                "id": "23456789",
                "total_energy_consumption_kwh": 1234,
                "total_volume_m3": 56.78,
                "t1_temperature_c": 65.43,
                "t2_temperature_c": 40.21,
                "status": "OK",
            },
        ),
    ),
    maker="Kamstrup",
)
