"""Nordic HAN lists (Aidon, Kaifa, Kamstrup, Landis+Gyr, lists 1/2/3) from a data-notification.

Three layouts exist in the field:
- OBIS-tagged structures `[obis, value, (scaler, unit)]` (Aidon, Landis+Gyr, Austrian Kaifa);
- flat alternating `obis, value, obis, value` (Kamstrup after its list id, Swedish Kaifa);
- Kaifa's positional lists without OBIS codes, recognised by their length.

The first decode of a layout records a parse plan: a compiled regular expression of the APDU in
which tags, lengths, OBIS codes and scalers are literal bytes and values are capture groups. A
later frame with the same layout is decoded by one regex match and a converter per value, which
avoids walking the A-XDR tree again and keeps decoding in C for the most part.
"""

from __future__ import annotations

import operator
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from app.ingest.decoders.axdr import (
    DATE_TIME,
    OCTET_STRING,
    STRUCTURE,
    UTF8_STRING,
    VISIBLE_STRING,
    AxdrNode,
    parse_cosem_datetime,
)
from app.ingest.decoders.dlms import parse_data_notification
from app.ingest.decoders.errors import DecodeError
from app.ingest.decoders.obis import (
    REGISTER_BY_NAME,
    UNIT_CODES,
    default_scaler,
    format_obis,
    register_for,
)
from app.ingest.decoders.reading import DecodedFrame

Converter = Callable[[bytes], Any]

_KAIFA_POSITIONS = {
    1: ["active_power_import"],
    9: [
        "list_ver_id",
        "meter_id",
        "meter_type",
        "active_power_import",
        "active_power_export",
        "reactive_power_import",
        "reactive_power_export",
        "current_l1",
        "voltage_l1",
    ],
    13: [
        "list_ver_id",
        "meter_id",
        "meter_type",
        "active_power_import",
        "active_power_export",
        "reactive_power_import",
        "reactive_power_export",
        "current_l1",
        "current_l2",
        "current_l3",
        "voltage_l1",
        "voltage_l2",
        "voltage_l3",
    ],
}
_LIST3_TAIL = [
    "meter_datetime",
    "active_power_import_total",
    "active_power_export_total",
    "reactive_power_import_total",
    "reactive_power_export_total",
]
_KAIFA_POSITIONS[14] = _KAIFA_POSITIONS[9] + _LIST3_TAIL
_KAIFA_POSITIONS[18] = _KAIFA_POSITIONS[13] + _LIST3_TAIL

_MANUFACTURER_BY_LIST_ID = (
    ("aidon", "Aidon"),
    ("kfm", "Kaifa"),
    ("kamstrup", "Kamstrup"),
    ("embriq", "Landis+Gyr"),
    ("lgf", "Landis+Gyr"),
)
_TEXT_FIELDS = frozenset({"list_ver_id", "meter_id", "meter_type"})
_STRING_TAGS = frozenset({OCTET_STRING, VISIBLE_STRING, UTF8_STRING})
DEFAULT_ZONE = ZoneInfo("Europe/Oslo")
_CLOCKS_LIMIT = 4_096


@dataclass(slots=True)
class _Element:
    name: str
    register: str
    unit: str | None
    node: AxdrNode
    scaler: int | None


class _Plan:
    """How to read one list layout: a regex of the APDU plus converters for its captured values.

    Integers are unpacked together by one struct call and scaled afterwards; strings and
    date-times have their own converters.
    """

    __slots__ = (
        "_get_numbers",
        "_numbers",
        "_others",
        "constants",
        "manufacturer",
        "pattern",
        "registers",
        "units",
    )

    def __init__(
        self,
        pattern: re.Pattern[bytes],
        fields: list[tuple[str, AxdrNode | None, int, Converter | None]],
        manufacturer: str | None,
        units: dict[str, str],
        registers: dict[str, str],
        constants: dict[str, Any],
    ) -> None:
        self.pattern = pattern
        self.constants = constants
        self.manufacturer = manufacturer
        self.units = units
        self.registers = registers
        number_format = ">"
        number_indexes = []
        numbers: list[tuple[str, int, int]] = []  # name, scaler sign, factor or divisor
        self._others: list[tuple[str, int, Converter]] = []
        for index, (name, node, scaler, converter) in enumerate(fields):
            if converter is not None or node is None:
                self._others.append((name, index, converter))  # type: ignore[arg-type]
                continue
            number_format += _STRUCT_CODES[node.tag]
            number_indexes.append(index)
            numbers.append((name, (scaler > 0) - (scaler < 0), 10 ** abs(scaler)))
        self._numbers = (struct.Struct(number_format), numbers) if numbers else None
        getter = operator.itemgetter(*number_indexes) if number_indexes else None
        single = len(number_indexes) == 1
        self._get_numbers = (lambda groups: (getter(groups),)) if single and getter else getter

    def values(self, groups: tuple[bytes, ...]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, index, convert in self._others:
            values[name] = convert(groups[index])
        if self._numbers is not None:
            unpacker, numbers = self._numbers
            raw_numbers = unpacker.unpack(b"".join(self._get_numbers(groups)))  # type: ignore[misc]
            for (name, sign, scale), raw in zip(numbers, raw_numbers):
                values[name] = raw if sign == 0 else (raw * scale if sign > 0 else raw / scale)
        return values


_STRUCT_CODES = {
    0x03: "B",
    0x05: "i",
    0x06: "I",
    0x0D: "B",
    0x0F: "b",
    0x10: "h",
    0x11: "B",
    0x12: "H",
    0x14: "q",
    0x15: "Q",
    0x16: "B",
    0x17: "f",
    0x18: "d",
}


def _is_obis(node: AxdrNode) -> bool:
    value = node.value
    return node.tag == OCTET_STRING and len(value) == 6 and value[0] <= 1 and value[5] == 0xFF  # type: ignore[arg-type]


def _text(raw: bytes) -> str:
    # Some meters pad identifiers with NUL bytes: they are not part of the id.
    return raw.decode("latin-1").rstrip("\x00")


def _manufacturer_from_list_id(list_id: str | None) -> str | None:
    lowered = (list_id or "").lower()
    for prefix, name in _MANUFACTURER_BY_LIST_ID:
        if lowered.startswith(prefix):
            return name
    return None


class HanListDecoder:
    """Decodes data-notification APDUs of HAN lists; keeps a parse plan per layout."""

    def __init__(self, local_zone: tzinfo = DEFAULT_ZONE, max_plans: int = 64) -> None:
        self._zone = local_zone
        self._plans: dict[int, list[_Plan]] = {}
        self._plan_count = 0
        self._max_plans = max_plans
        self._clocks: dict[bytes, Any] = {}  # COSEM date-time bytes -> UTC datetime (or None)

    def decode_apdu(self, apdu: bytes) -> DecodedFrame:
        """A plaintext data-notification APDU (starting 0x0F) to a DecodedFrame."""
        plans = self._plans.get(len(apdu))
        if plans:
            for plan in plans:
                match = plan.pattern.fullmatch(apdu)
                if match is not None:
                    return self._frame_from_plan(plan, match.groups())
        return self._decode_and_learn(apdu)

    def _frame_from_plan(self, plan: _Plan, groups: tuple[bytes, ...]) -> DecodedFrame:
        values = plan.values(groups)
        values.update(plan.constants)
        return DecodedFrame(
            meter_id=values.get("meter_id"),
            meter_type=values.get("meter_type"),
            manufacturer=plan.manufacturer,
            list_ver_id=values.get("list_ver_id"),
            meter_datetime=values.get("meter_datetime"),
            values=values,
            units=dict(plan.units),
            registers=dict(plan.registers),
            source="han",
            layout=plan,
        )

    def _decode_and_learn(self, apdu: bytes) -> DecodedFrame:
        notification = parse_data_notification(apdu)
        elements, positional = self._elements(notification.body)
        list_id_element = next((e for e in elements if e.name == "list_ver_id"), None)
        list_id = _text(_node_bytes(apdu, list_id_element.node)) if list_id_element else None
        manufacturer = _manufacturer_from_list_id(list_id)
        if manufacturer is None and elements:
            manufacturer = "Kaifa" if positional else "Aidon"

        captures: list[tuple[int, int, str, AxdrNode | None, int, Converter | None]] = []
        units: dict[str, str] = {}
        registers: dict[str, str] = {}
        constants: dict[str, Any] = {}
        if manufacturer is not None:
            constants["meter_manufacturer"] = manufacturer
        uncaptured: list[AxdrNode] = []
        for element in elements:
            if element.name in registers:
                continue
            kind = self._kind(element)
            node = element.node
            if kind is None:
                uncaptured.append(node)
                continue
            registers[element.name] = element.register
            if element.name == "list_ver_id":
                # Part of the layout: the manufacturer (and default scalers) follow from it.
                constants["list_ver_id"] = list_id
                continue
            if kind == "number":
                scaler = element.scaler
                if scaler is None:
                    scaler = default_scaler(manufacturer, element.name)
                captures.append((node.data_start, node.end, element.name, node, scaler, None))
            else:
                converter = _text if kind == "text" else self._clock
                captures.append((node.data_start, node.end, element.name, None, 0, converter))
            if element.unit:
                units[element.name] = element.unit
        header_end = notification.body.start
        if notification.datetime_raw is not None and "meter_datetime" not in registers:
            # The notification's own time stamp stands in for a meter clock the list lacks.
            captures.append((header_end - 12, header_end, "meter_datetime", None, 0, self._clock))
            registers["meter_datetime"] = format_obis(REGISTER_BY_NAME["meter_datetime"].obis)
        captures.sort()
        captured_starts = {capture[0] for capture in captures}
        # Only values may differ between frames of one layout; everything else (tags, lengths,
        # OBIS codes, scalers, list id, unrecognised codes) must match byte for byte.
        wildcards = [(1, 5)]  # the invoke id changes from frame to frame
        if header_end > 6 and header_end - 12 not in captured_starts:
            wildcards.append((header_end - 12, header_end))
        for node in uncaptured:
            for leaf in _leaves(node):
                if leaf.end > leaf.data_start and leaf.data_start not in captured_starts:
                    wildcards.append((leaf.data_start, leaf.end))
        plan = _Plan(
            pattern=_compile_pattern(apdu, [(c[0], c[1]) for c in captures], wildcards),
            fields=[(c[2], c[3], c[4], c[5]) for c in captures],
            manufacturer=manufacturer,
            units=units,
            registers=registers,
            constants=constants,
        )
        match = plan.pattern.fullmatch(apdu)
        if match is None:
            raise DecodeError("parse plan does not match its own frame")
        self._remember(len(apdu), plan)
        return self._frame_from_plan(plan, match.groups())

    def _remember(self, length: int, plan: _Plan) -> None:
        if self._plan_count >= self._max_plans:
            self._plans.clear()
            self._plan_count = 0
        self._plans.setdefault(length, []).append(plan)
        self._plan_count += 1

    def _clock(self, raw: bytes) -> Any:
        # Meters send on the same ticks (list 3 on the hour, list 2 every 10 s): one stream sees
        # the same 12 clock bytes from many meters, so each is worked out once (issue 25).
        clocks = self._clocks
        try:
            return clocks[raw]
        except KeyError:
            pass
        if len(clocks) >= _CLOCKS_LIMIT:
            clocks.clear()
        clock = clocks[raw] = parse_cosem_datetime(raw, self._zone)
        return clock

    @staticmethod
    def _kind(element: _Element) -> str | None:
        node = element.node
        if element.name == "meter_datetime":
            is_clock = node.tag == DATE_TIME or (
                node.tag == OCTET_STRING and len(node.value) == 12  # type: ignore[arg-type]
            )
            return "clock" if is_clock else None
        if node.tag in _STRING_TAGS:
            return "text"
        if node.tag in _STRUCT_CODES:
            return "number"
        return None

    def _elements(self, body: AxdrNode) -> tuple[list[_Element], bool]:
        items = body.children or [body]
        has_obis = any(
            _is_obis(item) or (item.tag == STRUCTURE and item.children and _is_obis(item.children[0]))
            for item in items
        )
        if not has_obis:
            return self._positional_elements(body, items), True
        elements: list[_Element] = []
        index = 0
        while index < len(items):
            item = items[index]
            if _is_obis(item) and index + 1 < len(items):
                elements.append(self._element(item.value, items[index + 1], None, None))  # type: ignore[arg-type]
                index += 2
                continue
            children = item.children if item.tag == STRUCTURE else []
            if len(children) >= 2 and _is_obis(children[0]):
                scaler = unit_code = None
                if len(children) >= 3:
                    scaler_unit = children[2].children
                    if len(scaler_unit) == 2 and isinstance(scaler_unit[0].value, int):
                        scaler, unit_code = scaler_unit[0].value, scaler_unit[1].value
                elements.append(self._element(children[0].value, children[1], scaler, unit_code))  # type: ignore[arg-type]
            elif item.tag in (VISIBLE_STRING, OCTET_STRING) and index == 0:
                # Kamstrup opens its list with the list version id, without an OBIS code.
                register = REGISTER_BY_NAME["list_ver_id"]
                elements.append(_Element("list_ver_id", format_obis(register.obis), None, item, None))
            index += 1
        return elements, False

    def _element(self, code: bytes, node: AxdrNode, scaler: int | None, unit_code: int | None) -> _Element:
        register = register_for(code)
        unit = UNIT_CODES.get(unit_code) if unit_code is not None else None
        if register is None:
            return _Element(format_obis(code), format_obis(code), unit, node, scaler)
        return _Element(register.name, format_obis(code), unit or register.unit, node, scaler)

    def _positional_elements(self, body: AxdrNode, items: list[AxdrNode]) -> list[_Element]:
        if body.tag != STRUCTURE:
            return []
        names = _KAIFA_POSITIONS.get(len(items))
        if names is None:
            return []
        if len(items) > 1:
            first = items[0]
            if first.tag not in _STRING_TAGS or _text(_raw_value(first))[:3].lower() != "kfm":
                return []
        elements = []
        for name, node in zip(names, items):
            register = REGISTER_BY_NAME[name]
            elements.append(_Element(name, format_obis(register.obis), register.unit, node, None))
        return elements


def _raw_value(node: AxdrNode) -> bytes:
    value = node.value
    return value if isinstance(value, bytes) else str(value).encode("latin-1")


def _node_bytes(apdu: bytes, node: AxdrNode) -> bytes:
    return bytes(apdu[node.data_start : node.end])


def _leaves(node: AxdrNode) -> list[AxdrNode]:
    if node.tag in (0x01, STRUCTURE):
        result = []
        for child in node.children:
            result.extend(_leaves(child))
        return result
    return [node]


def _compile_pattern(
    apdu: bytes, captures: list[tuple[int, int]], wildcards: list[tuple[int, int]]
) -> re.Pattern[bytes]:
    """Regex of this APDU: captured spans become groups (in byte order), wildcards match any
    bytes of the same length, everything else (tags, lengths, OBIS codes, scalers) is literal."""
    spans = sorted(
        [(start, end, True) for start, end in captures] + [(start, end, False) for start, end in wildcards]
    )
    parts = []
    pos = 0
    for start, end, capture in spans:
        if start < pos:
            raise DecodeError("overlapping spans in parse plan")
        parts.append(re.escape(apdu[pos:start]))
        parts.append(b"(.{%d})" % (end - start) if capture else b".{%d}" % (end - start))
        pos = end
    parts.append(re.escape(apdu[pos:]))
    return re.compile(b"".join(parts), re.DOTALL)
