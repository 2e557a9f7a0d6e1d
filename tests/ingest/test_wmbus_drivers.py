"""The wireless M-Bus driver registry: every registered driver decodes its own example telegrams
to the values it declares, and a new maker is a new module, not an edit of the decoder."""

from __future__ import annotations

import struct
import sys
import textwrap

import pytest

from app.ingest.decoders import wmbus_meters
from app.ingest.decoders.wmbus import WmbusDecoder
from app.ingest.decoders.wmbus_drivers import Driver, Example
from tests.ingest.ingest_vectors import same_value

EXAMPLES = [(driver, example) for driver in wmbus_meters.drivers() for example in driver.examples]


def test_every_driver_declares_its_meters_and_examples():
    names = [driver.name for driver in wmbus_meters.drivers()]
    assert {"kamwater", "kamheat", "omnipower", "em24", "kampress"} <= set(names)
    for driver in wmbus_meters.drivers():
        assert driver.detect and driver.examples and driver.maker, driver.name


@pytest.mark.parametrize(
    ("driver", "example"), EXAMPLES, ids=[f"{d.name}:{i}" for i, (d, _e) in enumerate(EXAMPLES)]
)
def test_a_driver_decodes_its_own_examples(driver: Driver, example: Example):
    key = bytes.fromhex(example.key) if example.key else None
    # A fresh decoder: a compact example must decode from the driver's declared formats alone.
    frame = WmbusDecoder().decode(bytes.fromhex(example.telegram), key=key)
    assert frame.meter_type == driver.name
    assert frame.manufacturer == driver.maker
    wrong = {
        name: (expected, frame.values.get(name))
        for name, expected in example.expected.items()
        if not same_value(expected, frame.values.get(name))
    }
    assert wrong == {}


ACME_DRIVER = """
from app.ingest.decoders.wmbus_drivers import Detect, Driver, FieldRule

DRIVER = Driver(
    "acmewater",
    (FieldRule("total_m3", "volume"),),
    detect=(Detect("ACM", frozenset({0x07})),),
    maker="Acme",
)
"""


def _acme_telegram(litres: int) -> bytes:
    body = b"\x44" + (0x046D).to_bytes(2, "little") + bytes.fromhex("78563412") + b"\x01\x07\x78"
    body += b"\x04\x13" + struct.pack("<I", litres)
    return bytes([len(body)]) + body


def test_a_second_maker_is_a_new_module(tmp_path, monkeypatch):
    assert WmbusDecoder().decode(_acme_telegram(1500)).meter_type is None
    (tmp_path / "acmewater.py").write_text(textwrap.dedent(ACME_DRIVER))
    monkeypatch.setattr(wmbus_meters, "__path__", [*wmbus_meters.__path__, str(tmp_path)])
    wmbus_meters.drivers.cache_clear()
    wmbus_meters.maker_names.cache_clear()
    try:
        frame = WmbusDecoder().decode(_acme_telegram(1500))
        assert (frame.meter_type, frame.manufacturer, frame.values["total_m3"]) == ("acmewater", "Acme", 1.5)
    finally:
        monkeypatch.undo()
        sys.modules.pop(f"{wmbus_meters.__name__}.acmewater", None)
        wmbus_meters.drivers.cache_clear()
        wmbus_meters.maker_names.cache_clear()
    assert WmbusDecoder().decode(_acme_telegram(1500)).meter_type is None
