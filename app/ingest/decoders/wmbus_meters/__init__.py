"""The wireless M-Bus driver registry: every module in this package declares one ``DRIVER``
(app/ingest/decoders/wmbus_drivers.py ``Driver``: detection, compact formats, fields, its own
example telegrams). A new meter or maker is a new module here; the decoder is not edited.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from app.ingest.decoders.wmbus_drivers import Driver


@cache
def drivers() -> tuple[Driver, ...]:
    """Every driver of this package, in module-name order."""
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        driver = getattr(importlib.import_module(f"{__name__}.{module.name}"), "DRIVER", None)
        if isinstance(driver, Driver):
            found.append(driver)
    names = [driver.name for driver in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two wireless M-Bus drivers share a name: {sorted(names)}")
    return tuple(found)


def driver_for(manufacturer: str, version: int, device_type: int) -> Driver | None:
    """The driver of a meter, from its manufacturer, version and device type."""
    return next((driver for driver in drivers() if driver.serves(manufacturer, version, device_type)), None)


def known_formats() -> list[str]:
    """The compact-frame header layouts every driver's meters are known to send."""
    return [layout for driver in drivers() for layout in driver.formats]


@cache
def maker_names() -> dict[str, str]:
    """A maker's name by its three-letter code ("KAM" -> "Kamstrup")."""
    return {rule.manufacturer: driver.maker for driver in drivers() for rule in driver.detect if driver.maker}
