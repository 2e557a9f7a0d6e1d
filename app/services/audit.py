"""Writing the audit log, in the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session

from app.models import AuditEntry


def record_audit(
    db: Session,
    action: str,
    *,
    actor_user_id: int | None = None,
    actor_role: str | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
    outcome: str = "ok",
    detail: str = "",
    client_address: str | None = None,
) -> AuditEntry:
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
