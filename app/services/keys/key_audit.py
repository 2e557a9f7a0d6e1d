"""Audit rows of the key service, each naming the units it concerns.

The audit detail holds at most 1,000 characters: an action on thousands of units is written as
as many rows as it takes to list every serial, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from app.services.audit import record_audit
from app.services.caller import Caller

SERIALS_MARK = "serials: "
_DETAIL_LIMIT = 1000


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


def audit_units(
    db: Session,
    action: str,
    caller: Caller,
    serials: Sequence[str],
    *,
    detail: str = "",
    outcome: str = "ok",
) -> int:
    """Record ``action`` on these units (``detail`` first, then the serials); returns rows written."""
    prefix = f"{detail}; " if detail else ""
    room = _DETAIL_LIMIT - len(prefix) - len(SERIALS_MARK)
    chunks = _serial_chunks(list(serials), room) if serials else [[]]
    for chunk in chunks:
        subject = chunk[0] if len(serials) == 1 else f"{len(serials)} units"
        record_audit(db, action, caller, subject_type="meter_key", subject_id=subject[:64],
                     outcome=outcome, detail=prefix + SERIALS_MARK + ",".join(chunk))  # fmt: skip
    return len(chunks)


def audited_serials(detail: str) -> str:
    """The serials part of an audit row's detail ("" when it names none)."""
    _, mark, serials = detail.partition(SERIALS_MARK)
    return serials if mark else ""
