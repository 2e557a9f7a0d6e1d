"""The organisation's key audit: who viewed, exported, assigned, revoked or imported which units,
when. Read-only (nothing here writes the log), filtered by action, person and date,
paged, and exported as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from app.config import settings
from app.models import AuditEntry, Role, User
from app.services.caller import Caller
from app.services.errors import AccessDenied
from app.services.keys.key_audit import SUBJECT_TYPE, audited_detail, audited_serials
from app.services.paging import Page, PageRequest, page_window
from app.services.spreadsheet_cells import neutralise_row

KEY_AUDIT_ACTIONS: tuple[str, ...] = (
    "key.view",
    "key.export",
    "key.assign",
    "key.revoke",
    "key.import",
    "key.import_staged",
    "key.import_cancelled",
    "key.transfer_code",
    "key.transfer_send",
    "key.transfer_request",
    "key.transfer_accept",
    "key.transfer_decline",
    "key.transfer_cancel",
    "key.transfer_failed",
)


@dataclass(frozen=True)
class AuditQuery(PageRequest):
    action: str = ""
    actor_email: str = ""
    date_from: date | None = None  # local dates (the portal's zone), both inclusive
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    units: str
    outcome: str
    detail: str


AuditPage = Page[AuditRow]


def _scope(caller: Caller) -> list[ColumnElement[bool]]:
    conditions = [col(AuditEntry.subject_type) == SUBJECT_TYPE]
    if caller.is_role(Role.ADMIN):
        return conditions
    if caller.is_role(Role.DISTRIBUTOR) and caller.organisation_id is not None:
        return [*conditions, col(AuditEntry.subject_id) == str(caller.organisation_id)]
    raise AccessDenied("auth.denied")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(settings.timezone)).astimezone(UTC)


def _conditions(caller: Caller, query: AuditQuery) -> list[ColumnElement[bool]]:
    conditions = _scope(caller)
    if query.action:
        conditions.append(col(AuditEntry.action) == query.action)
    if query.actor_email.strip():
        conditions.append(col(User.email) == query.actor_email.strip().lower())
    if query.date_from is not None:
        conditions.append(col(AuditEntry.at) >= _local_midnight(query.date_from))
    if query.date_to is not None:
        conditions.append(col(AuditEntry.at) < _local_midnight(query.date_to + timedelta(days=1)))
    return conditions


def _row(entry: AuditEntry, email: str | None) -> AuditRow:
    actor = email or " ".join(part for part in (entry.actor_role, entry.client_address) if part)
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    return AuditRow(
        at=at,
        actor=actor,
        action=entry.action,
        units=audited_serials(entry.detail),
        outcome=entry.outcome,
        detail=audited_detail(entry.detail),
    )


def _select(caller: Caller, query: AuditQuery):  # type: ignore[no-untyped-def]
    return (
        select(AuditEntry, User.email)
        .outerjoin(User, col(User.id) == AuditEntry.actor_user_id)
        .where(*_conditions(caller, query))
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    )


def audit_page(db: Session, caller: Caller, query: AuditQuery) -> AuditPage:
    """One page of the organisation's key actions, newest first."""
    total = db.exec(
        select(func.count())
        .select_from(AuditEntry)
        .outerjoin(User, col(User.id) == AuditEntry.actor_user_id)
        .where(*_conditions(caller, query))
    ).one()
    window = page_window(query.page, query.page_size, total)
    found = db.exec(_select(caller, query).offset(window.offset).limit(window.size)).all()
    return AuditPage([_row(entry, email) for entry, email in found], total, window.page, window.size)


def audit_csv(db: Session, caller: Caller, query: AuditQuery) -> bytes:
    """Every row the query matches (all pages), as CSV with local times."""
    zone = ZoneInfo(settings.timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["time", "person", "action", "units", "outcome", "detail"])
    for entry, email in db.exec(_select(caller, query)):
        row = _row(entry, email)
        writer.writerow(
            neutralise_row(
                [
                    row.at.astimezone(zone).isoformat(timespec="seconds"),
                    row.actor,
                    row.action,
                    row.units,
                    row.outcome,
                    row.detail,
                ]
            )
        )
    return out.getvalue().encode("utf-8")
