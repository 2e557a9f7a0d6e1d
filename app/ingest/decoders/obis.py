"""OBIS codes of the Nordic HAN lists: which named register each code is, with unit and scaler."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NamedRegister:
    name: str
    unit: str | None
    obis: bytes  # canonical code, used as register id when a list carries no OBIS codes


def _code(text: str) -> bytes:
    group_ab, rest = text.split(":")
    a, b = group_ab.split("-")
    return bytes([int(a), int(b), *(int(part) for part in rest.split("."))])


def format_obis(code: bytes) -> str:
    """`1-0:1.8.0.255` notation."""
    return f"{code[0]}-{code[1]}:{code[2]}.{code[3]}.{code[4]}.{code[5]}"


_REGISTERS = [
    NamedRegister("list_ver_id", None, _code("1-1:0.2.129.255")),
    NamedRegister("meter_id", None, _code("0-0:96.1.0.255")),
    NamedRegister("meter_type", None, _code("0-0:96.1.7.255")),
    NamedRegister("meter_datetime", None, _code("0-0:1.0.0.255")),
    NamedRegister("active_power_import", "W", _code("1-0:1.7.0.255")),
    NamedRegister("active_power_export", "W", _code("1-0:2.7.0.255")),
    NamedRegister("reactive_power_import", "var", _code("1-0:3.7.0.255")),
    NamedRegister("reactive_power_export", "var", _code("1-0:4.7.0.255")),
    NamedRegister("current_l1", "A", _code("1-0:31.7.0.255")),
    NamedRegister("current_l2", "A", _code("1-0:51.7.0.255")),
    NamedRegister("current_l3", "A", _code("1-0:71.7.0.255")),
    NamedRegister("voltage_l1", "V", _code("1-0:32.7.0.255")),
    NamedRegister("voltage_l2", "V", _code("1-0:52.7.0.255")),
    NamedRegister("voltage_l3", "V", _code("1-0:72.7.0.255")),
    NamedRegister("active_power_import_total", "Wh", _code("1-0:1.8.0.255")),
    NamedRegister("active_power_export_total", "Wh", _code("1-0:2.8.0.255")),
    NamedRegister("reactive_power_import_total", "varh", _code("1-0:3.8.0.255")),
    NamedRegister("reactive_power_export_total", "varh", _code("1-0:4.8.0.255")),
    NamedRegister("power_factor", None, _code("1-0:13.7.0.255")),
    NamedRegister("frequency", "Hz", _code("1-0:14.7.0.255")),
]
for _phase, _base in (("l1", 20), ("l2", 40), ("l3", 60)):
    _REGISTERS += [
        NamedRegister(f"active_power_import_{_phase}", "W", bytes([1, 0, _base + 1, 7, 0, 255])),
        NamedRegister(f"active_power_export_{_phase}", "W", bytes([1, 0, _base + 2, 7, 0, 255])),
        NamedRegister(f"reactive_power_import_{_phase}", "var", bytes([1, 0, _base + 3, 7, 0, 255])),
        NamedRegister(f"reactive_power_export_{_phase}", "var", bytes([1, 0, _base + 4, 7, 0, 255])),
    ]

REGISTER_BY_NAME = {register.name: register for register in _REGISTERS}

# Looked up by (A, C, D, E): the channel B differs between makes (Kamstrup uses 1) and F is 255.
_BY_KEY = {(r.obis[0], r.obis[2], r.obis[3], r.obis[4]): r for r in _REGISTERS}
_BY_KEY[(1, 0, 0, 5)] = REGISTER_BY_NAME["meter_id"]  # Kamstrup: GS1 number
_BY_KEY[(1, 96, 1, 1)] = REGISTER_BY_NAME["meter_type"]  # Kamstrup
_BY_KEY[(0, 96, 1, 7)] = REGISTER_BY_NAME["meter_type"]


def register_for(code: bytes) -> NamedRegister | None:
    return _BY_KEY.get((code[0], code[2], code[3], code[4]))


# COSEM unit enumeration (Blue Book, class 3 scaler_unit)
UNIT_CODES = {
    1: "a",
    2: "mo",
    3: "wk",
    4: "d",
    5: "h",
    6: "min",
    7: "s",
    8: "°",
    9: "°C",
    13: "m3",
    14: "m3",
    15: "m3/h",
    16: "m3/h",
    22: "N",
    23: "Pa",
    24: "bar",
    25: "J",
    27: "W",
    28: "VA",
    29: "var",
    30: "Wh",
    31: "VAh",
    32: "varh",
    33: "A",
    34: "C",
    35: "V",
    44: "Hz",
    255: None,
}

# Lists without scaler_unit (Kamstrup, Kaifa) have fixed scalers per quantity, per make.
DEFAULT_SCALERS: dict[str, dict[str, int]] = {
    "Kamstrup": {"current": -2, "voltage": 0, "energy": 1},
    "Kaifa": {"current": -3, "voltage": -1, "energy": 0},
}


def default_scaler(manufacturer: str | None, name: str) -> int:
    table = DEFAULT_SCALERS.get(manufacturer or "")
    if not table:
        return 0
    if name.startswith("current_"):
        return table["current"]
    if name.startswith("voltage_"):
        return table["voltage"]
    if name.endswith("_total"):
        return table["energy"]
    return 0
