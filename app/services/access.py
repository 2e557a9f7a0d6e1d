"""The one rule every protected handler applies: who is asking, and may they?"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlmodel import Session

from app.models import Role
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied
from app.services.sessions import resolve_principal

log = logging.getLogger(__name__)


def require_role(
    db: Session,
    token: str,
    roles: Iterable[Role],
    *,
    action: str = "",
    client_address: str | None = None,
) -> Caller:
    """Return the caller, or raise AccessDenied (and log the refusal).

    Administrators pass every role check.
    """
    allowed = set(roles)
    principal = resolve_principal(db, token, client_address=client_address)
    if principal is None:
        reason = "no live session"
    elif principal.role in allowed or principal.role is Role.ADMIN:
        return principal
    else:
        reason = f"role {principal.role.value} not in {sorted(r.value for r in allowed)}"
    log.warning("refused %s: %s", action or "handler", reason)
    record_audit(
        db,
        "access.refused",
        actor_user_id=principal.user_id if principal else None,
        actor_role=principal.role.value if principal else None,
        outcome="refused",
        detail=f"{action}: {reason}",
        client_address=client_address,
    )
    db.commit()
    raise AccessDenied("auth.denied")
