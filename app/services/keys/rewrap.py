"""Re-wrap every data key under a new master key while the app keeps serving.

Rotation: configure ``MASTER_KEY=<new>,<old>`` on every process (the first wraps, both open),
run ``python -m app.ingest keys rewrap``, then drop the old key. Only the wrapped data keys
change: the sealed meter keys stay byte for byte, so nothing is ever decrypted to plaintext here.
Rows are moved in small transactions, each row only if it is still exactly as read (a row the
app re-keyed meanwhile is already under the new key and is left alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import KeyImportRow, MeterKey
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.keys.sealing import MasterKey, MasterKeyError, open_data_key, wrap_data_key


@dataclass(frozen=True)
class RewrapResult:
    rewrapped: int
    staged: int  # staged import rows
    unknown: int  # rows under a master key that was not given (left as they are)


def _move(
    db: Session,
    table: type[MeterKey] | type[KeyImportRow],
    ring: dict[str, MasterKey],
    new: MasterKey,
    batch_size: int,
) -> tuple[int, int]:
    moved = unknown = 0
    last_id = 0
    while True:
        rows = db.exec(
            select(table.id, table.serial, table.wrapped_data_key, table.master_key_id)
            .where(
                col(table.id) > last_id,
                col(table.master_key_id) != new.key_id,
                col(table.wrapped_data_key).is_not(None),
            )
            .order_by(col(table.id))
            .limit(batch_size)
        ).all()
        if not rows:
            return moved, unknown
        for row_id, serial, wrapped, key_id in rows:
            last_id = row_id
            old = ring.get(key_id)
            if old is None:
                unknown += 1
                continue
            rewrapped = wrap_data_key(serial, open_data_key(serial, wrapped, old), new)
            result = db.execute(
                update(table)
                .where(
                    col(table.id) == row_id,
                    col(table.master_key_id) == key_id,
                    col(table.wrapped_data_key) == wrapped,
                )
                .values(wrapped_data_key=rewrapped, master_key_id=new.key_id)
            )
            moved += result.rowcount or 0  # type: ignore[attr-defined]
        db.commit()  # one short transaction per batch: the app's own writes go on between them


def rewrap_data_keys(
    engine: Engine, keys: Sequence[MasterKey], actor: Caller, *, batch_size: int = 500
) -> RewrapResult:
    """Move every row wrapped by one of ``keys[1:]`` under ``keys[0]``."""
    if len(keys) < 2:
        raise MasterKeyError("give the new master key first and the old one after it (MASTER_KEY=new,old)")
    new = keys[0]
    ring = {key.key_id: key for key in keys[1:]}
    with Session(engine) as db:
        rewrapped, unknown = _move(db, MeterKey, ring, new, batch_size)
        staged, unknown_staged = _move(db, KeyImportRow, ring, new, batch_size)
        record_audit(
            db,
            "key.rewrap",
            actor,
            subject_type="master_key",
            subject_id=new.key_id,
            detail=f"{rewrapped} keys and {staged} staged rows re-wrapped; "
            f"{unknown + unknown_staged} under an unknown master key",
        )
        db.commit()
    return RewrapResult(rewrapped, staged, unknown + unknown_staged)
