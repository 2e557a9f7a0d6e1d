"""One pre-notification as both sides show it: heading, status, case line, values, history.

The installer's form and the grid company's processing page read the same notification; what
they show of it, and how its rows and history lines read, is decided here once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from app.i18n import translate
from app.i18n.times import format_local_time
from app.models import NotificationStatus, PreNotification
from app.services.installer.catalogue import CaseSummary, case_summary
from app.services.installer.form_fields import form_values
from app.services.installer.transitions import history


def status_text(status: str, language: str) -> str:
    return translate(f"installer.status.{status}", language)


def status_options(language: str) -> list[dict[str, str]]:
    return [{"value": s.value, "label": status_text(s.value, language)} for s in NotificationStatus]


def row_dicts(rows, language: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """A page of listed notifications as the tables show them."""
    return [
        {
            "id": str(row.id),
            "status": row.status,
            "status_label": status_text(row.status, language),
            "grid_company": row.grid_company,
            "address": row.address,
            "owner": row.owner,
            "meter_number": row.meter_number,
            "updated_at": format_local_time(row.updated_at, language),
        }
        for row in rows
    ]


def history_rows(lines: Iterable, language: str) -> list[dict[str, str]]:  # type: ignore[type-arg]
    """Notes and status moves, oldest first: a move reads "Not sent → For approval"."""
    return [
        {
            "at": format_local_time(line.at, language),
            "who": line.who or line.actor_role,
            "text": line.text,
            "what": translate("installer.note", language)
            if line.what == "note"
            else " → ".join(status_text(part, language) for part in line.what.split(">")),
        }
        for line in lines
    ]


def case_line_text(summary: CaseSummary, language: str) -> str:
    type_name = translate(f"installer.type.{summary.installation_type_code}", language)
    return " · ".join([summary.grid_company, type_name, summary.job_type, summary.grid_area])


@dataclass(frozen=True, slots=True)
class ShownNotification:
    """What a notification page shows of one notification, read in one session."""

    summary: CaseSummary
    notification_id: int
    status: str
    values: dict[str, str]
    reject_reason: str
    heading: str
    case_line: str
    history: list[dict[str, str]]


def read_notification(db: Session, row: PreNotification, language: str) -> ShownNotification:
    summary = case_summary(db, row, language)
    return ShownNotification(
        summary=summary,
        notification_id=row.id or 0,
        status=row.status,
        values=form_values(row),
        reject_reason=row.reject_reason,
        heading=translate("installer.notification", language, number=row.id),
        case_line=case_line_text(summary, language),
        history=history_rows(history(db, row), language),
    )


class NotificationView(rx.State, mixin=True):
    """The vars of one shown notification; a state mixes this into a ``SessionState``."""

    notification_id: int = 0
    status: str = ""
    heading: str = ""
    case_line: str = ""
    values: dict[str, str] = {}
    reject_reason: str = ""
    history: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    @rx.var(cache=True)
    def status_label(self) -> str:
        return status_text(self.status, self.language) if self.status else ""  # type: ignore[attr-defined]

    def _id_from_url(self) -> int:
        try:
            return int(self.router.url.query_parameters.get("id", "0"))
        except ValueError:
            return 0

    def _put_notification(self, shown: ShownNotification) -> None:
        self.notification_id = shown.notification_id
        self.status = shown.status
        self.values = shown.values
        self.reject_reason = shown.reject_reason
        self.heading = shown.heading
        self.case_line = shown.case_line
        self.history = shown.history

    def _show_notification(self, db: Session, row: PreNotification) -> CaseSummary:
        """Fill the shared vars from ``row`` (inside the caller's session); the summary for more."""
        shown = read_notification(db, row, self.language)  # type: ignore[attr-defined]
        self._put_notification(shown)
        return shown.summary
