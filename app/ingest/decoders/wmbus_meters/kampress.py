"""Kamstrup pressure sensors (kampress)."""

from __future__ import annotations

from typing import Any

from app.ingest.decoders.mbus_records import MAXIMUM, MINIMUM, MbusRecord
from app.ingest.decoders.wmbus_drivers import Detect, Driver, Example, FieldRule, FlagRule, status_text

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


DRIVER = Driver(
    "kampress",
    (
        FieldRule("pressure_bar", "pressure"),
        FieldRule("max_pressure_bar", "pressure", MAXIMUM),
        FieldRule("min_pressure_bar", "pressure", MINIMUM),
        FieldRule("alfa_counter", difvif=bytes.fromhex("05FF09")),
        FieldRule("beta_counter", difvif=bytes.fromhex("05FF0A")),
    ),
    _kampress_status,
    detect=(Detect("KAM", frozenset({0x18}), frozenset({0x01})),),
    formats=("22691269026905FF0905FF0A02FD17",),
    examples=(
        # 4.56 bar now, 3.5 lowest, 5.0 highest; counters 1.5 and 2.5; no error flags.
        Example(
            "29442D2C1290785601187822695E011269F4010269C80105FF090000C03F05FF0A0000204002FD170000",
            {
                "media": "pressure",
                "id": "56789012",
                "pressure_bar": 4.56,
                "min_pressure_bar": 3.5,
                "max_pressure_bar": 5.0,
                "alfa_counter": 1.5,
                "beta_counter": 2.5,
                "status": "OK",
            },
        ),
    ),
    maker="Kamstrup",
)
