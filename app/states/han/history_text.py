"""A HAN order's history as its reader sees it: "you" for a customer's own moves, the customer as
such for staff, staff by name, the system as the system, and when the customer was texted."""

from __future__ import annotations

from collections.abc import Iterable

from app.i18n import translate
from app.i18n.times import format_local_time
from app.services.cases import NOTE, HistoryLine
from app.services.han.events import CUSTOMER_TOLD

CUSTOMER = "customer"
STAFF = "staff"


def _who(line: HistoryLine, reader: str, language: str) -> str:
    if line.kind == CUSTOMER_TOLD or not line.actor_role:
        return translate("han.who.system", language)
    if line.actor_role == CUSTOMER:
        return translate("han.who.you" if reader == CUSTOMER else "han.who.customer", language)
    return line.who or translate(f"role.{line.actor_role}", language)


def _what(line: HistoryLine, reader: str, language: str) -> str:
    if line.kind == NOTE:
        return translate("han.note", language)
    if line.kind == CUSTOMER_TOLD:
        return translate(
            "han.history.sms_to_you" if reader == CUSTOMER else "han.history.sms_to_customer", language
        )
    moved_from = translate(f"han.status.{line.from_status}", language) + " → " if line.from_status else ""
    return moved_from + translate(f"han.status.{line.to_status}", language)


def history_rows(lines: Iterable[HistoryLine], reader: str, language: str) -> list[dict[str, str]]:
    """``reader`` is CUSTOMER or STAFF; staff notes are shown to staff only."""
    return [
        {
            "at": format_local_time(line.at, language),
            "who": _who(line, reader, language),
            "what": _what(line, reader, language),
            "text": line.text,
        }
        for line in lines
        if reader == STAFF or line.kind != NOTE
    ]
