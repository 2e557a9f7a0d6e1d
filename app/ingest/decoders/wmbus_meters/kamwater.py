"""Kamstrup MULTICAL 21 and flowIQ water meters (kamwater)."""

from __future__ import annotations

from typing import Any

from app.ingest.decoders.mbus_records import MAXIMUM, MINIMUM, MbusRecord
from app.ingest.decoders.wmbus_drivers import Detect, Driver, Example, FieldRule, FlagRule, status_text

_WATER_FLAGS = {0x01: "DRY", 0x02: "REVERSE", 0x04: "LEAK", 0x08: "BURST"}
_WATER_FLAGS_32 = {
    **_WATER_FLAGS,
    0x10: "TAMPER",
    0x20: "LOW_BATTERY",
    0x40: "LOW_AMBIENT_TEMPERATURE",
    0x80: "FLOW_ABOVE_Q4",
    0x200: "NO_CONSUMPTION",
}
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


DRIVER = Driver(
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
    detect=(
        Detect("KAM", frozenset({0x06, 0x16}), frozenset({0x1B, 0x1D})),
        Detect("KAW", frozenset({0x06, 0x16})),
    ),
    formats=(
        "02FF2004134413615B6167",
        "02FF20041392013BA1015B8101E7FF0F",
        "02FF2004134413A1015B8101E7FF0F",
        "02FF2004134413615B5167",
        "02FF2004134413",
    ),
    examples=(
        # A full frame (CI 0x78): info word 0x0071 (dry, for 22-31 days), 6408 l, 6000 l at the
        # target date, flow temperature 12 °C, lowest outside temperature last month 19 °C.
        Example(
            "21442D2C785634121B167802FF207100041308190000441370170000615B0C616713",
            {
                "media": "cold water",
                "id": "12345678",
                "total_m3": 6.408,
                "target_m3": 6.0,
                "flow_temperature_c": 12,
                "min_external_temperature_last_month_c": 19,
                "status": "DRY",
                "current_status": "DRY",
                "time_dry": "22-31 days",
                "time_reversed": "",
                "time_leaking": "",
                "time_bursting": "",
            },
        ),
        # The same meter's compact frame (CI 0x79) in its first known format: 6409 l.
        Example(
            "1A442D2C785634121B1679EDA8E04A710009190000701700000C13",
            {"total_m3": 6.409, "target_m3": 6.0, "flow_temperature_c": 12, "status": "DRY"},
        ),
    ),
    maker="Kamstrup",
)
