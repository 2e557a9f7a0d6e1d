"""Writing the audit log, in the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session

from app.models import AuditEntry
from app.services.caller import Caller


def record_audit(
    db: Session,
    action: str,
    caller: Caller | None = None,
    *,
    actor_user_id: int | None = None,
    actor_role: str | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
    outcome: str = "ok",
    detail: str = "",
    client_address: str | None = None,
) -> AuditEntry:
    """One row of the audit log, in ``db``'s transaction; ``caller`` names who acted."""
    if caller is not None:
        actor_user_id = caller.user_id if actor_user_id is None else actor_user_id
        actor_role = str(caller.role) if actor_role is None else actor_role
        client_address = caller.client_address if client_address is None else client_address
    entry = AuditEntry(
        action=action,
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        subject_type=subject_type,
        subject_id=str(subject_id),
        outcome=outcome,
        detail=detail[:1000],
        client_address=client_address,
    )
    db.add(entry)
    return entry
