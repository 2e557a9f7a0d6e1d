"""Audit rows of the key service, each naming the organisation whose units it concerns and every
serial.

``subject_type`` is "key_units" and ``subject_id`` the owner organisation's id, so the
organisation's audit view finds the actions of its own people and of the key readers it gave
rights to. The audit detail holds at most 1,000 characters: an action on thousands of units is
written as as many rows as it takes to list every serial, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.models import MeterKey
from app.services.audit import record_audit
from app.services.caller import Caller

SUBJECT_TYPE = "key_units"
SERIALS_MARK = "serials: "
_DETAIL_LIMIT = 1000
_LOOKUP_CHUNK = 5000


def _serial_chunks(serials: Sequence[str], room: int) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    used = 0
    for serial in serials:
        if chunks[-1] and used + len(serial) + 1 > room:
            chunks.append([])
            used = 0
        chunks[-1].append(serial)
        used += len(serial) + 1
    return chunks


def _owners(db: Session, serials: Sequence[str]) -> dict[str, int | None]:
    owners: dict[str, int | None] = {}
    for start in range(0, len(serials), _LOOKUP_CHUNK):
        chunk = serials[start : start + _LOOKUP_CHUNK]
        owners.update(
            db.exec(select(MeterKey.serial, MeterKey.owner_id).where(col(MeterKey.serial).in_(chunk))).all()
        )
    return owners


def audit_units(
    db: Session,
    action: str,
    caller: Caller,
    serials: Sequence[str],
    *,
    detail: str = "",
    outcome: str = "ok",
    organisation_id: int | None = None,
) -> int:
    """Record ``action`` on these units (``detail`` first, then the serials) under their owner
    organisation (``organisation_id`` when given, else each unit's owner); returns rows written."""
    serials = list(serials)
    by_owner: dict[int | None, list[str]] = {}
    if organisation_id is not None or not serials:
        by_owner[organisation_id if organisation_id is not None else caller.organisation_id] = serials
    else:
        owners = _owners(db, serials)
        for serial in serials:
            by_owner.setdefault(owners.get(serial), []).append(serial)
    prefix = f"{detail}; " if detail else ""
    room = _DETAIL_LIMIT - len(prefix) - len(SERIALS_MARK)
    written = 0
    for owner, owned in by_owner.items():
        for chunk in _serial_chunks(owned, room):
            record_audit(
                db,
                action,
                caller,
                subject_type=SUBJECT_TYPE,
                subject_id="" if owner is None else owner,
                outcome=outcome,
                detail=prefix + SERIALS_MARK + ",".join(chunk),
            )
            written += 1
    return written


def audited_serials(detail: str) -> str:
    """The serials part of an audit row's detail ("" when it names none)."""
    _, mark, serials = detail.partition(SERIALS_MARK)
    return serials if mark else ""


def audited_detail(detail: str) -> str:
    """The detail of an audit row without its list of serials."""
    text, _, _ = detail.partition(SERIALS_MARK)
    return text.removesuffix("; ").strip()
