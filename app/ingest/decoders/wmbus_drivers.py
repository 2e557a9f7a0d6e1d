"""What a wireless M-Bus driver declares, and how it turns data records into named fields.

A driver (one module in app/ingest/decoders/wmbus_meters/, as wmbusmeters' drivers/src/*.xmq)
declares which meters it serves (``Detect``: maker code, versions, device types), the compact
frame formats those meters send, its field rules (what record each field comes from), its status
rules (how flag words become status text) and its own example telegrams with the values they
must decode to. Field names follow wmbusmeters' JSON names, unit suffix included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.ingest.decoders.mbus_records import INSTANTANEOUS, MbusRecord


@dataclass(frozen=True, slots=True)
class FieldRule:
    """A field taken from the first record that matches.

    Either by exact header (`difvif`, value unscaled) or by what the record measures.
    """

    name: str
    quantity: str | None = None
    function: int = INSTANTANEOUS
    storages: tuple[int, ...] = (0,)
    subunit: int = 0
    combinables: tuple[int, ...] = ()
    difvif: bytes | None = None
    unit: str | None = None

    def matches(self, record: MbusRecord) -> bool:
        if self.difvif is not None:
            return record.difvif == self.difvif
        return (
            record.quantity == self.quantity
            and record.function == self.function
            and record.storage in self.storages
            and record.subunit == self.subunit
            and record.tariff == 0
            and record.combinables == self.combinables
        )

    def value(self, record: MbusRecord) -> Any:
        return record.raw if self.difvif is not None else record.value


@dataclass(frozen=True, slots=True)
class FlagRule:
    """Flag bits of a record (by header, or any error-flags record) mapped to status words."""

    flags: dict[int, str]
    difvif: bytes | None = None
    quantity: str | None = None
    mask: int = 0xFFFFFFFF

    def words(self, records: Sequence[MbusRecord]) -> list[str] | None:
        for record in records:
            if (self.difvif is not None and record.difvif == self.difvif) or (
                self.quantity is not None and record.quantity == self.quantity
            ):
                value = int(record.raw or 0) & self.mask
                return [name for bit, name in self.flags.items() if value & bit]
        return None


def status_text(
    rules: Sequence[FlagRule], records: Sequence[MbusRecord], tpl_status: int | None, default: str = "OK"
) -> str | None:
    """Sorted, de-duplicated words of all rules (and the TPL status byte); `default` when clear."""
    words: set[str] = set()
    found = False
    for rule in rules:
        rule_words = rule.words(records)
        if rule_words is not None:
            found = True
            words.update(rule_words)
    if tpl_status:
        found = True
        words.update(tpl_status_words(tpl_status))
    if not found and tpl_status is None:
        return None
    return " ".join(sorted(words)) if words else default


def tpl_status_words(status: int) -> list[str]:
    words = []
    application = status & 0x03
    if application:
        words.append(("", "BUSY", "ERROR", "ALARM")[application])
    if status & 0x04:
        words.append("POWER_LOW")
    if status & 0x08:
        words.append("PERMANENT_ERROR")
    if status & 0x10:
        words.append("TEMPORARY_ERROR")
    return words


@dataclass(frozen=True, slots=True)
class Detect:
    """Meters a driver serves: a maker's code and device types, and versions (None: any)."""

    manufacturer: str
    device_types: frozenset[int]
    versions: frozenset[int] | None = None

    def matches(self, manufacturer: str, version: int, device_type: int) -> bool:
        return (
            manufacturer == self.manufacturer
            and device_type in self.device_types
            and (self.versions is None or version in self.versions)
        )


@dataclass(frozen=True, slots=True)
class Example:
    """A telegram of the driver's meters (hex; ``key`` hex when encrypted) and values it decodes to."""

    telegram: str
    expected: dict[str, Any]
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Driver:
    name: str
    fields: tuple[FieldRule, ...]
    derive: Callable[[list[MbusRecord], int | None, dict[str, Any]], None] | None = None
    detect: tuple[Detect, ...] = ()
    # Header layouts (DIF/VIF hex) of the compact frames these meters send, known before any
    # full frame of theirs is seen.
    formats: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    maker: str = ""  # the manufacturer's name as shown ("Kamstrup")

    def serves(self, manufacturer: str, version: int, device_type: int) -> bool:
        return any(rule.matches(manufacturer, version, device_type) for rule in self.detect)

    def decode(self, records: list[MbusRecord], tpl_status: int | None) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for rule in self.fields:
            for record in records:
                if rule.matches(record):
                    values[rule.name] = rule.value(record)
                    break
        if self.derive is not None:
            self.derive(records, tpl_status, values)
        return values
