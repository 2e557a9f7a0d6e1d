"""Kamstrup OMNIPOWER electricity meters (omnipower)."""

from __future__ import annotations

from app.ingest.decoders.mbus_records import BACKWARD_FLOW
from app.ingest.decoders.wmbus_drivers import Detect, Driver, Example, FieldRule

DRIVER = Driver(
    "omnipower",
    (
        FieldRule("total_energy_consumption_kwh", "energy"),
        FieldRule("total_energy_production_kwh", "energy", combinables=(BACKWARD_FLOW,)),
        FieldRule("current_power_consumption_kw", "power"),
        FieldRule("current_power_production_kw", "power", combinables=(BACKWARD_FLOW,)),
    ),
    detect=(Detect("KAM", frozenset({0x02}), frozenset({0x30})),),
    formats=("040404843C042B04AB3C",),
    examples=(
        # 1234.56 kWh imported, 7.89 kWh exported, 1500 W drawn, none fed in.
        Example(
            "24442D2C90785634300278040440E2010004843C15030000042BDC05000004AB3C00000000",
            {
                "media": "electricity",
                "id": "34567890",
                "total_energy_consumption_kwh": 1234.56,
                "total_energy_production_kwh": 7.89,
                "current_power_consumption_kw": 1.5,
                "current_power_production_kw": 0,
            },
        ),
    ),
    maker="Kamstrup",
)
