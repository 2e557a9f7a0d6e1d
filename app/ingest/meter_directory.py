"""Meter references as sources give them (serial, meter number, wireless M-Bus id) resolved to
meter ids, cached; unknown ones counted once, or created when the worker is told to."""

from __future__ import annotations

import logging
import re
import time

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from app.clock import utcnow
from app.models import Medium

log = logging.getLogger(__name__)


_TRAILING_DIGITS = re.compile(r"(\d{6,})$")


class MeterDirectory:
    """Maps what a meter calls itself to `meter.id`: its serial, or the number part of the serial
    (a wireless M-Bus id "57000074" is meter "KAM57000074") when that is unique."""

    def __init__(self, auto_create: bool = False, owner_id: int | None = None) -> None:
        self.auto_create = auto_create
        self.owner_id = owner_id
        self._by_ref: dict[str, int] = {}
        self._unknown: set[str] = set()
        self._loaded_at = 0.0

    def load(self, connection: Connection) -> None:
        by_ref: dict[str, int] = {}
        numbers: dict[str, list[int]] = {}
        for meter_id, serial in connection.execute(text("SELECT id, serial FROM meter")):
            by_ref[serial] = meter_id
            match = _TRAILING_DIGITS.search(serial)
            if match and match.group(1) != serial:
                numbers.setdefault(match.group(1), []).append(meter_id)
        for number, ids in numbers.items():
            if len(ids) == 1:
                by_ref.setdefault(number, ids[0])
        self._by_ref = by_ref
        self._loaded_at = time.monotonic()

    @property
    def known(self) -> dict[str, int]:
        """Every ref resolved so far -> its meter id (the store's fast path; `resolve` for the rest)."""
        return self._by_ref

    def resolve(self, connection: Connection, ref: str, hint: dict[str, str] | None = None) -> int | None:
        """The meter id of `ref`; created in `connection`'s transaction when told to create (the
        store creates its meters beforehand with `create_missing`, so it always finds them here)."""
        meter_id = self._by_ref.get(ref)
        if meter_id is not None or not ref:
            return meter_id
        if time.monotonic() - self._loaded_at > 30:
            self.load(connection)  # a meter added in the portal since we last looked
            meter_id = self._by_ref.get(ref)
            if meter_id is not None:
                self._unknown.discard(ref)
                return meter_id
        if self.auto_create:
            meter_id = self._create(connection, ref, hint or {})
            self._by_ref[ref] = meter_id
        return meter_id

    def forget(self) -> None:
        """Read the meter table again at the next resolve (a cached id turned out stale)."""
        self._loaded_at = 0.0

    def create_missing(self, engine: Engine, hints: dict[str, dict[str, str]]) -> None:
        """Create the meters of `hints` (ref -> hint) that the table lacks, when told to create.

        In a transaction of their own, committed before the readings' transaction, and in one
        order: two workers meeting the same new meters wait for each other at most once and
        never in a cycle, a meter id is cached only once committed, and a failed batch of
        readings never takes a created meter with it. `INSERT … ON CONFLICT DO NOTHING` and a
        re-read make it idempotent: both workers get the one row.
        """
        if not self.auto_create:
            return
        missing = sorted(ref for ref in hints if ref and ref not in self._by_ref)
        if not missing:
            return
        created: dict[str, int] = {}
        with engine.begin() as connection:
            if time.monotonic() - self._loaded_at > 1:
                self.load(connection)
                missing = [ref for ref in missing if ref not in self._by_ref]
            for ref in missing:
                created[ref] = self._create(connection, ref, hints[ref])
        self._by_ref.update(created)
        for ref in created:
            self._unknown.discard(ref)

    def note_unknown(self, ref: str) -> bool:
        """True the first time an unknown meter is seen (so it is logged once)."""
        if ref in self._unknown:
            return False
        self._unknown.add(ref)
        return True

    def _create(self, connection: Connection, ref: str, hint: dict[str, str]) -> int:
        # Idempotent: two workers meeting a new meter at once both insert; the second waits for
        # the first's commit, inserts nothing, and both read the one row.
        connection.execute(
            text(
                "INSERT INTO meter (serial, manufacturer, model, medium, han_capable, owner_id, created_at) "
                "VALUES (:serial, :manufacturer, :model, :medium, :han, :owner, :now) "
                "ON CONFLICT (serial) DO NOTHING"
            ),
            {
                "serial": ref[:40],
                "manufacturer": hint.get("manufacturer", "unknown")[:60],
                "model": hint.get("model", "")[:60],
                "medium": hint.get("medium", Medium.ELECTRICITY.value),
                "han": hint.get("medium", "electricity") == "electricity",
                "owner": self.owner_id,
                "now": utcnow(),
            },
        )
        meter_id = connection.execute(
            text("SELECT id FROM meter WHERE serial = :s"), {"s": ref[:40]}
        ).scalar_one()
        log.info("meter %s (id %s) created for incoming readings, or found created", ref, meter_id)
        return meter_id
