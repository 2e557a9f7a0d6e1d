"""Bearer tokens of installer firms for the installation API. Only a token's SHA-256 is stored.

The portal's own token for a firm (the installer pages call the API as an outside system would)
is an HMAC of the row under the server secret: the portal can rebuild it, the database alone
cannot.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from app.clock import utcnow
from app.models import InstallerApiToken, Organisation, OrganisationKind
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import AccessDenied
from app.services.server_secret import keyed_digest

PORTAL_LABEL = "portal"


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_firm(db: Session, firm_id: int) -> Organisation:
    firm = db.get(Organisation, firm_id)
    if firm is None or firm.kind != OrganisationKind.INSTALLER_FIRM:
        raise AccessDenied("auth.denied")
    return firm


def issue_api_token(db: Session, caller: Caller, firm_id: int, label: str) -> str:
    """A new random token for an outside system of the firm; returned once, stored as a hash."""
    if str(caller.role) not in {"admin", "cli"}:
        raise AccessDenied("auth.denied")
    _require_firm(db, firm_id)
    token = secrets.token_urlsafe(32)
    row = InstallerApiToken(installer_firm_id=firm_id, token_hash=hash_api_token(token), label=label[:60])
    db.add(row)
    db.flush()
    record_audit(
        db,
        "installer.api_token_issued",
        caller,
        subject_type="installer_api_token",
        subject_id=row.id or "",
        detail=f"firm {firm_id}",
    )
    return token


def portal_api_token(db: Session, firm_id: int) -> str:
    """The token the portal's installer pages use for ``firm_id`` (its row made on first use)."""
    _require_firm(db, firm_id)
    token = keyed_digest("installer-api-portal-token", str(firm_id))
    token_hash = hash_api_token(token)
    row = db.exec(select(InstallerApiToken).where(InstallerApiToken.token_hash == token_hash)).first()
    if row is None:
        db.add(InstallerApiToken(installer_firm_id=firm_id, token_hash=token_hash, label=PORTAL_LABEL))
        db.flush()
    return token


def token_row(db: Session, token: str) -> InstallerApiToken | None:
    """The live token row behind a presented bearer token."""
    if not token:
        return None
    row = db.exec(
        select(InstallerApiToken).where(InstallerApiToken.token_hash == hash_api_token(token))
    ).first()
    return row if row is not None and row.revoked_at is None else None


def revoke_api_token(db: Session, caller: Caller, token_id: int) -> None:
    if str(caller.role) not in {"admin", "cli"}:
        raise AccessDenied("auth.denied")
    row = db.get(InstallerApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.add(row)
        record_audit(
            db, "installer.api_token_revoked", caller, subject_type="installer_api_token", subject_id=token_id
        )
