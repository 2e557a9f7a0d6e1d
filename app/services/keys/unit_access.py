"""Who may act on which units: a distributor on their organisation's, a key reader on those
assigned to them; nobody else (an administrator manages accounts and organisations, and never
reads, exports or assigns keys). Every key service starts here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, select

from app.models import KeyReadRight, MeterKey, Role, User
from app.services.caller import Caller
from app.services.errors import AccessDenied

# SQLite refuses statements with more than 32,766 parameters; lists of ids go in chunks.
ID_CHUNK = 5000


def chunks(values: Sequence[int], size: int = ID_CHUNK) -> list[Sequence[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def managed_scope(caller: Caller) -> ColumnElement[bool]:
    """The units a distributor manages; AccessDenied for anyone else."""
    if caller.is_role(Role.DISTRIBUTOR) and caller.organisation_id is not None:
        return col(MeterKey.owner_id) == caller.organisation_id
    raise AccessDenied("auth.denied")


def reader_scope(caller: Caller) -> ColumnElement[bool]:
    """The units assigned to a key reader (a condition on a query joined to key_read_right)."""
    if not caller.is_role(Role.KEY_READER) or caller.user_id is None:
        raise AccessDenied("auth.denied")
    # A deactivated account's rights are suspended (issue 20.5), whatever session it still holds.
    active = select(User.id).where(col(User.id) == caller.user_id, col(User.is_active))
    return and_(col(KeyReadRight.user_id) == caller.user_id, col(KeyReadRight.user_id).in_(active))


def managed_units(db: Session, caller: Caller, unit_ids: Sequence[int]) -> list[MeterKey]:
    """The caller's units with these ids, in serial order; AccessDenied when any is not theirs
    (or does not exist: a foreign id and a missing one answer the same)."""
    scope = managed_scope(caller)
    wanted = sorted(set(unit_ids))
    rows: list[MeterKey] = []
    for chunk in chunks(wanted):
        rows.extend(db.exec(select(MeterKey).where(col(MeterKey.id).in_(chunk), scope)).all())
    if len(rows) != len(wanted):
        raise AccessDenied("auth.denied")
    return sorted(rows, key=lambda row: row.serial)


def managed_unit_serials(db: Session, caller: Caller, unit_ids: Sequence[int]) -> dict[int, str]:
    """id -> serial of the caller's units with these ids (no key columns read); AccessDenied when
    any is not theirs."""
    scope = managed_scope(caller)
    wanted = sorted(set(unit_ids))
    found: dict[int, str] = {}
    for chunk in chunks(wanted):
        for unit_id, serial in db.exec(
            select(MeterKey.id, MeterKey.serial).where(col(MeterKey.id).in_(chunk), scope)
        ):
            found[unit_id] = serial  # type: ignore[index]
    if len(found) != len(wanted):
        raise AccessDenied("auth.denied")
    return found


def readable_units(db: Session, caller: Caller, unit_ids: Sequence[int]) -> list[MeterKey]:
    """The units with these ids that the caller may read the keys of: managed ones for a
    distributor, assigned ones for a key reader. AccessDenied when any is not."""
    if caller.is_role(Role.KEY_READER):
        condition = reader_scope(caller)
        wanted = sorted(set(unit_ids))
        rows: list[MeterKey] = []
        for chunk in chunks(wanted):
            rows.extend(
                db.exec(
                    select(MeterKey)
                    .join(KeyReadRight, col(KeyReadRight.unit_id) == MeterKey.id)
                    .where(col(MeterKey.id).in_(chunk), condition)
                ).all()
            )
        if len(rows) != len(wanted):
            raise AccessDenied("auth.denied")
        return sorted(rows, key=lambda row: row.serial)
    return managed_units(db, caller, unit_ids)
