"""P1 / DSMR text telegrams (IEC 62056-21 style), as sent by Dutch, Belgian, Nordic and other meters.

    /ISk5\\2MT382-1000            identification: flag id, baud rate character, type
    1-0:1.8.1(001581.123*kWh)     OBIS code and one or more (value*unit) groups
    !6796                         end; CRC-16/ARC over '/' .. '!' (absent before DSMR 4)

Energy and power are converted to Wh, W, varh and var so P1 readings line up with HAN ones.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from app.ingest.decoders.crc import crc16_arc
from app.ingest.decoders.errors import DecodeError
from app.ingest.decoders.obis import register_for
from app.ingest.decoders.reading import DecodedFrame

DEFAULT_ZONE = ZoneInfo("Europe/Oslo")

# A line's value groups may continue on the next line (DSMR 2.2 gas reading).
_LINE = re.compile(r"(\d{1,3})-(\d{1,3}):(\d{1,3})\.(\d{1,3})\.(\d{1,3})((?:\([^()]*\)\s*)+)")
_GROUP = re.compile(r"\(([^()]*)\)")
_NUMBER_UNIT = re.compile(r"([-+]?\d+(?:\.\d+)?)(?:\*(.+))?")
_TIMESTAMP = re.compile(r"(\d{12})([SW]?)")
_FOOTER = re.compile(r"!([0-9A-Fa-f]{4})?")

# unit in the telegram -> (unit we store, factor)
_UNIT_SCALING = {
    "kwh": ("Wh", 1000),
    "wh": ("Wh", 1),
    "kw": ("W", 1000),
    "w": ("W", 1),
    "kvarh": ("varh", 1000),
    "varh": ("varh", 1),
    "kvar": ("var", 1000),
    "var": ("var", 1),
    "v": ("V", 1),
    "a": ("A", 1),
    "hz": ("Hz", 1),
    "m3": ("m3", 1),
    "s": ("s", 1),
}
_METER_ID_CODES = ("0-0:96.1.1", "0-0:96.1.0")
_CLOCK_CODE = "0-0:1.0.0"
_FAILURE_LOG_CODE = "99.97.0"
_OLD_GAS_CODE = "24.3.0"


def _number(text: str, factor: int) -> int | float:
    value = Decimal(text) * factor
    return int(value) if value == value.to_integral_value() else float(value)


def parse_p1_timestamp(text: str, zone: tzinfo) -> datetime | None:
    """YYMMDDhhmmss with S (summer) or W (winter) flag, local time, to aware UTC."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    digits, season = match.groups()
    try:
        local = datetime.strptime(digits, "%y%m%d%H%M%S")
    except ValueError:
        return None
    # In the repeated autumn hour the flag tells which of the two it is.
    return local.replace(tzinfo=zone, fold=1 if season == "W" else 0).astimezone(UTC)


def _scaled(text: str) -> tuple[Any, str | None]:
    match = _NUMBER_UNIT.fullmatch(text)
    if match is None:
        return (text or None), None
    number, unit = match.groups()
    if unit is None:
        # Unit-less values are codes and counters ("0002" tariff): keep them as sent.
        return text, None
    stored_unit, factor = _UNIT_SCALING.get(unit.lower(), (unit, 1))
    try:
        return _number(number, factor), stored_unit
    except InvalidOperation:
        return text, unit


class P1TelegramDecoder:
    def __init__(self, local_zone: tzinfo = DEFAULT_ZONE, require_crc: bool = False) -> None:
        self._zone = local_zone
        self._require_crc = require_crc

    def decode(self, telegram: bytes | str) -> DecodedFrame:
        text = telegram.decode("latin-1") if isinstance(telegram, (bytes, bytearray)) else telegram
        start = text.find("/")
        if start < 0:
            raise DecodeError("P1 telegram has no '/' header")
        footer = _FOOTER.search(text, start)
        if footer is None:
            raise DecodeError("P1 telegram has no '!' end")
        if footer.group(1) is not None:
            expected = int(footer.group(1), 16)
            if crc16_arc(text[start : footer.start() + 1].encode("latin-1")) != expected:
                raise DecodeError("CRC mismatch")
        elif self._require_crc:
            raise DecodeError("P1 telegram without CRC")
        header_end = text.find("\n", start)
        if header_end < 0 or header_end > footer.start():
            raise DecodeError("P1 telegram header not terminated")
        identification = text[start + 1 : header_end].strip()
        if len(identification) < 4 or not identification[:3].isalpha():
            raise DecodeError("bad P1 identification line")
        frame = DecodedFrame(source="p1")
        frame.manufacturer = identification[:3]
        model = identification[4:]
        if model[:1] in ("\\", "\x02"):
            model = model[2:] if model[:1] == "\\" else model[1:]
        frame.meter_type = "".join(ch for ch in model if ch.isprintable()) or None
        body = text[header_end : footer.start()]
        for match in _LINE.finditer(body):
            self._add_line(frame, match)
        if frame.meter_datetime is not None:
            frame.values["meter_datetime"] = frame.meter_datetime
        return frame

    def _add_line(self, frame: DecodedFrame, match: re.Match[str]) -> None:
        a, b, c, d, e = (int(part) for part in match.groups()[:5])
        short_code = f"{a}-{b}:{c}.{d}.{e}"
        register = f"{short_code}.255"
        groups = _GROUP.findall(match.group(6))
        named = register_for(bytes([a, b, c, d, e, 255])) if a == 1 and b == 0 else None
        name = named.name if named is not None else register
        frame.registers[name] = register
        if short_code == _CLOCK_CODE and len(groups) == 1:
            frame.meter_datetime = parse_p1_timestamp(groups[0], self._zone)
            frame.registers.pop(name)
            return
        if short_code in _METER_ID_CODES and frame.meter_id is None and groups[0]:
            frame.meter_id = groups[0]
        code_tail = f"{c}.{d}.{e}"
        if code_tail == _FAILURE_LOG_CODE:
            frame.values[name] = self._failure_log(groups)
            return
        if code_tail == _OLD_GAS_CODE and len(groups) >= 7:
            # DSMR 2.2/3: (time)(00)(60)(1)(0-1:24.2.1)(m3) then (value)
            value, unit = _scaled(f"{groups[-1]}*{groups[5]}")
            self._set(frame, name, value, unit)
            capture = self._local_time(groups[0])
            if capture is not None:
                frame.value_times[name] = capture
            return
        if len(groups) == 2 and _TIMESTAMP.fullmatch(groups[0]):
            value, unit = _scaled(groups[1])
            self._set(frame, name, value, unit)
            capture = parse_p1_timestamp(groups[0], self._zone)
            if capture is not None:
                frame.value_times[name] = capture
            return
        if len(groups) == 1:
            value, unit = _scaled(groups[0])
            self._set(frame, name, value, unit)
            return
        frame.values[name] = tuple(groups)  # a profile or other structure: kept as sent

    @staticmethod
    def _set(frame: DecodedFrame, name: str, value: Any, unit: str | None) -> None:
        frame.values[name] = value
        if unit is not None:
            frame.units[name] = unit

    def _local_time(self, digits: str) -> datetime | None:
        try:
            local = datetime.strptime(digits, "%y%m%d%H%M%S")
        except ValueError:
            return None
        return local.replace(tzinfo=self._zone).astimezone(UTC)

    def _failure_log(self, groups: list[str]) -> tuple[tuple[datetime | None, Any], ...]:
        # (count)(0-0:96.7.19)(end time)(duration*s)...
        entries = []
        pairs = groups[2:]
        for index in range(0, len(pairs) - 1, 2):
            duration, _ = _scaled(pairs[index + 1])
            entries.append((parse_p1_timestamp(pairs[index], self._zone), duration))
        return tuple(entries)


def decode_p1_telegram(telegram: bytes | str, local_zone: tzinfo = DEFAULT_ZONE) -> DecodedFrame:
    return P1TelegramDecoder(local_zone).decode(telegram)
