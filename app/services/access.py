"""The one rule every protected handler applies: who is asking, and may they?"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlmodel import Session

from app.models import Role, role_admitted
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied
from app.services.sessions import resolve_principal

log = logging.getLogger(__name__)
Row = TypeVar("Row")


def refuse(
    db: Session,
    caller: Caller | None,
    action: str,
    reason: str,
    *,
    subject_type: str = "",
    subject_id: str | int = "",
    client_address: str | None = None,
    audit_action: str = "access.refused",
    detail: str | None = None,
    error_key: str = "auth.denied",
) -> AccessDenied:
    """Log and audit a refusal, commit it (the caller rolls back on the error), return the error."""
    log.warning("refused %s: %s", action or "handler", reason)
    record_audit(
        db,
        audit_action,
        caller,
        subject_type=subject_type,
        subject_id=subject_id,
        outcome="refused",
        detail=f"{action}: {reason}" if detail is None else detail,
        client_address=client_address,
    )
    db.commit()
    return AccessDenied(error_key)


def reachable(
    db: Session,
    caller: Caller,
    model: type[Row],
    row_id: int,
    may_see: Callable[[Row], bool],
    *,
    audit_action: str,
    subject_type: str,
    not_found: str,
    detail: str = "",
) -> Row:
    """The row when ``may_see`` says the caller may see it; otherwise refused as if it did not
    exist (an absent row and another's read alike): audited, committed, raised."""
    row = db.get(model, row_id)
    if row is None or not may_see(row):
        raise refuse(
            db,
            caller,
            audit_action,
            "not reachable",
            subject_type=subject_type,
            subject_id=row_id,
            audit_action=audit_action,
            detail=detail,
            error_key=not_found,
        )
    return row


def require_role(
    db: Session,
    token: str,
    roles: Iterable[Role],
    *,
    action: str = "",
    client_address: str | None = None,
) -> Caller:
    """Return the caller, or raise AccessDenied (and log the refusal).

    Administrators pass every role check but the key service's: they manage accounts and
    organisations, and never read, export or assign keys (a refusal is audited like any other).
    """
    allowed = set(roles)
    caller = resolve_principal(db, token, client_address=client_address)
    if caller is None:
        raise refuse(db, None, action, "no live session", client_address=client_address)
    if role_admitted(caller.role, allowed):
        return caller
    raise refuse(db, caller, action, f"role {caller.role} not in {sorted(r.value for r in allowed)}")
