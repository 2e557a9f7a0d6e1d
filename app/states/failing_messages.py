"""Messages that keep failing, for administrators (all) and grid staff (their grid company's).

Shown on the administrator's page and the staff's start page; the service decides what each sees.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate
from app.i18n.times import format_local_time
from app.models import OutboxStatus, Role
from app.services.caller import Caller
from app.services.notify.failing_messages import PAGE_SIZE, FailingMessage, failing_messages, send_again
from app.states.form import int_or_none, run_form
from app.states.paging import Page, PagedList, PageReader, PagingTexts
from app.states.session import SessionState


def _row(message: FailingMessage, language: str) -> dict[str, str]:
    failed = message.status == OutboxStatus.FAILED
    status = (
        translate("outbox.status.failed", language)
        if failed
        else translate(
            "outbox.status.pending", language, time=format_local_time(message.next_attempt_at, language)
        )
    )
    return {
        "id": str(message.id),
        "channel": translate(f"outbox.channel.{message.channel}", language),
        "recipient": message.recipient,
        "what": message.what,
        "status": status,
        "attempts": str(message.attempts),
        "error": message.last_error,
        "created": format_local_time(message.created_at, language),
        "can_send_again": "1" if failed else "",
        "send_again_label": translate("outbox.send_again_label", language, number=message.id),
    }


class FailingMessagesState(PagedList, SessionState):
    # Administrators pass every role check and see every organisation's messages.
    LISTER: ClassVar[Role] = Role.GRID_STAFF
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    TEXTS: ClassVar[PagingTexts] = PagingTexts(label="outbox.paging")
    errors: dict[str, str] = {}

    def _page_reader(self, caller: Caller) -> PageReader:
        page, language = self.page, self.language

        def read(db: Session) -> Page:
            messages, total = failing_messages(db, caller, page=page)
            return Page([_row(message, language) for message in messages], total)

        return read

    @rx.event
    async def send_again(self, message_id: str):
        caller = await self._lister("send_again")
        wanted = int_or_none(message_id) or 0

        def work() -> None:
            with session_scope() as db:
                send_again(db, caller, wanted)

        done = await run_form(self, work)
        if done.error is not None:
            return rx.toast.error(done.error.message(self.language))
        await self._reload(caller)
        return rx.toast.success(translate("outbox.sent_again", self.language))
