"""What a decoder produces: a decoded frame and the register readings it yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Scalar = float | int | str

# Frame metadata, not measurements: they describe the meter rather than a register value.
IDENTITY_FIELDS = frozenset(
    {"meter_id", "meter_type", "list_ver_id", "meter_manufacturer", "meter_datetime", "id", "media"}
)


class WmbusIdentity(str):
    """A wireless M-Bus meter as it identifies itself in its header: the id (this string's value,
    "76348799", so a key table keyed by id still answers) with the manufacturer code, version and
    device type beside it. Another maker's meter with the same number is another meter: keys and
    the rules of keyed meters are looked up exactly on ``manufacturer`` + id."""

    manufacturer: str
    version: int
    device_type: int

    def __new__(
        cls, meter_id: str, manufacturer: str, version: int = 0, device_type: int = 0
    ) -> WmbusIdentity:
        identity = super().__new__(cls, meter_id)
        identity.manufacturer = manufacturer.upper()
        identity.version = version
        identity.device_type = device_type
        return identity

    @property
    def meter_id(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True, slots=True)
class DecodedReading:
    """One register value of one meter at one time; (meter_id, register, timestamp) is its identity."""

    meter_id: str
    register: str
    timestamp: datetime | None
    value: Scalar
    unit: str | None


@dataclass(slots=True)
class DecodedFrame:
    """A decoded frame or telegram.

    `values` holds named fields (HAN names such as `active_power_import`, wmbusmeters names such as
    `total_m3`, or an OBIS code for P1 lines without a name); `units` gives each field's unit;
    `registers` maps a field name to the OBIS code it came from. `value_times` holds a capture time
    for fields that carry their own (gas readings in P1). `plaintext` is the decrypted APDU or
    payload when the frame was encrypted.

    `encrypted` and `authenticated` say what protected the frame on its way (decrypted with a key,
    a DLMS tag checked), `system_title` which DLMS sender's key opened it: a meter whose key we
    hold is believed only when its data arrived so (issue 10, encryption downgrade).
    """

    meter_id: str | None = None
    meter_type: str | None = None
    manufacturer: str | None = None
    list_ver_id: str | None = None
    meter_datetime: datetime | None = None
    values: dict[str, Any] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    registers: dict[str, str] = field(default_factory=dict)
    value_times: dict[str, datetime] = field(default_factory=dict)
    source: str = ""
    plaintext: bytes | None = None
    encrypted: bool = False
    authenticated: bool = False
    system_title: bytes | None = None
    # How a wireless M-Bus meter identified itself (maker code, id, version, type); None otherwise.
    wmbus_identity: WmbusIdentity | None = None
    # The layout it was read with (a HAN list's parse plan), shared by every frame of that layout:
    # the same fields with the same registers and units, so their readings are worked out once.
    layout: Any = None

    def to_readings(self, receive_time: datetime) -> list[DecodedReading]:
        """Scalar fields as readings, stamped with the meter clock when known, else receive time."""
        meter_id = self.meter_id or ""
        default_time = self.meter_datetime or receive_time
        readings = []
        for name, value in self.values.items():
            if name in IDENTITY_FIELDS or value is None or isinstance(value, (bytes, list, tuple, dict)):
                continue
            if isinstance(value, bool):
                value = int(value)
            readings.append(
                DecodedReading(
                    meter_id=meter_id,
                    register=self.registers.get(name, name),
                    timestamp=self.value_times.get(name, default_time),
                    value=value,
                    unit=self.units.get(name),
                )
            )
        return readings
