"""Transfers from the key list (Transfer -> Send, Transfer -> Request) and the Activities page.

Send: the dialog "Send device transfer" walks recipient -> warning -> code. The recipient's address
and organisation name are shown back (not secrets); the mailed code is read from the submitted
form only, never kept. Request: serials typed or pasted are checked ("Add to list"), the robot
check's answer arrives in the submitted form (the widget's hidden field). Activities: the
organisation's transfers, Open or Closed, one server page at a time; a row opens its serials.
"""

from __future__ import annotations

import json
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.db import session_scope
from app.i18n import translate, translate_count
from app.i18n.times import format_local_time
from app.models import KeyTransfer, Role
from app.services.caller import Caller
from app.services.keys.transfers import (
    SerialCheck,
    TransferQuery,
    TransferRow,
    accept_transfer,
    cancel_transfer,
    check_recipient,
    check_serials,
    decline_transfer,
    request_send_code,
    request_units,
    send_units,
    serial_list,
    transfer_page,
    transfer_serials,
)
from app.services.paging import PageRequest
from app.services.robot_check import new_challenge
from app.states.db_thread import read_in_thread
from app.states.dialog import DialogState
from app.states.form import form_text, run_form
from app.states.keys.unit_list import KeyListState
from app.states.paging import Page, PagedList, PageReader, clamp_page, int_or_none, page_count_for
from app.states.session import SessionState

SEND, REQUEST = "send", "request"
STEP_RECIPIENT, STEP_WARNING, STEP_CODE = "recipient", "warning", "code"
STEP_SERIALS, STEP_ROBOT = "serials", "robot"
# The request list shows this many serials (the marked ones first); the rest are counted.
SERIALS_SHOWN = 200
PAGE_SIZE = 25
SERIALS_PAGE_SIZE = 50
SERIALS, ANSWER = "serials", "answer"
ANSWERS = ("accept", "decline", "cancel")


class TransferDialogsState(DialogState, KeyListState):
    """The key list's "Transfer" menu: Send (the selection) and Request (serials)."""

    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.DISTRIBUTOR,)
    errors: dict[str, str] = {}
    send_step: str = STEP_RECIPIENT
    recipient_email: str = ""
    recipient_organisation: str = ""
    code_id: str = ""
    request_step: str = STEP_SERIALS
    # The serials listed so far: shown ones with their mark; all of them in the backend var.
    request_rows: list[dict[str, str]] = []
    request_count: int = 0
    request_problems: int = 0
    _request_serials: list[str] = []
    robot_challenge: str = ""
    # Bumped to start a fresh uncontrolled form (the code field, the serial box).
    form_generation: int = 0

    @rx.var(cache=True)
    def send_title(self) -> str:
        return translate_count("keys.transfer.send.selected", self.language, count=self.selected_count)

    @rx.var(cache=True)
    def send_warning(self) -> str:
        return translate_count(
            "keys.transfer.send.warning",
            self.language,
            count=self.selected_count,
            organisation=self.recipient_organisation,
        )

    @rx.var(cache=True)
    def recipient_text(self) -> str:
        return translate(
            "keys.transfer.send.recipient", self.language, organisation=self.recipient_organisation
        )

    @rx.var(cache=True)
    def request_count_text(self) -> str:
        return translate_count("keys.transfer.request.count", self.language, count=self.request_count)

    def _dialog_opened(self, name: str) -> None:
        self.form_generation += 1

    def _dialog_closed(self) -> None:
        self.send_step, self.recipient_email, self.recipient_organisation, self.code_id = (
            STEP_RECIPIENT,
            "",
            "",
            "",
        )
        self.request_step, self.request_rows, self.request_count, self.request_problems = (
            STEP_SERIALS,
            [],
            0,
            0,
        )
        self._request_serials, self.robot_challenge = [], ""

    # ------------------------------------------------------------ send

    @rx.event
    async def open_send(self):
        await self._checked(Role.DISTRIBUTOR, handler="open_send")
        self._close_dialog()
        if not self._selected_ids:
            return rx.toast.info(translate("keys.dialog.nothing_selected", self.language))
        self.open_dialog = SEND
        self._dialog_opened(SEND)
        return None

    @rx.event
    async def check_send_recipient(self, form: dict):
        """The arrow beside "User email": whose superuser is it (or why not)."""
        caller = await self._checked(Role.DISTRIBUTOR, handler="check_send_recipient")
        email = form_text(form, "email").strip()[:254]

        def work():
            with session_scope() as db:
                return check_recipient(db, caller, email)

        done = await run_form(self, work)
        self.recipient_organisation = done.value.organisation_name if done.ok and done.value else ""
        self.recipient_email = email if done.ok else ""

    @rx.event
    async def continue_send(self):
        await self._checked(Role.DISTRIBUTOR, handler="continue_send")
        if self.open_dialog == SEND and self.recipient_organisation:
            self.send_step = STEP_WARNING

    @rx.event
    async def back_to_recipient(self):
        await self._checked(Role.DISTRIBUTOR, handler="back_to_recipient")
        self.send_step, self.errors = STEP_RECIPIENT, {}

    @rx.event
    async def request_code(self):
        caller = await self._checked(Role.DISTRIBUTOR, handler="request_code")
        ids, email, language = sorted(self._selected_ids), self.recipient_email, self.language
        if self.open_dialog != SEND or not email:
            return None

        def work() -> str:
            with session_scope() as db:
                return request_send_code(db, caller, ids, email, language=language)

        done = await run_form(self, work)
        if done.ok and done.value:
            self.code_id, self.send_step = done.value, STEP_CODE
            self.form_generation += 1
            return rx.toast.info(translate("keys.transfer.send.code_sent", language))
        return None

    @rx.event
    async def send_now(self, form: dict):
        caller = await self._checked(Role.DISTRIBUTOR, handler="send_now")
        ids, email, code_id = sorted(self._selected_ids), self.recipient_email, self.code_id
        code = form_text(form, "code")
        if self.open_dialog != SEND or not code_id:
            return None

        def work() -> KeyTransfer:
            with session_scope() as db:
                return send_units(db, caller, ids, email, code_id, code)

        done = await run_form(self, work)
        if not done.ok or done.value is None:
            return None
        message = translate_count(
            "keys.transfer.send.done",
            self.language,
            count=done.value.unit_count,
            organisation=self.recipient_organisation,
        )
        self._close_dialog()
        self._set_selection(set())
        await self._reload(caller)
        return rx.toast.success(message)

    # ------------------------------------------------------------ request

    @rx.event
    async def open_request(self):
        await self._checked(Role.DISTRIBUTOR, handler="open_request")
        self._close_dialog()
        self.open_dialog = REQUEST
        self._dialog_opened(REQUEST)

    def _show_request(self, checks: list[SerialCheck]) -> None:
        marked = [c for c in checks if c.problem]
        shown = (marked + [c for c in checks if not c.problem])[:SERIALS_SHOWN]
        self.request_rows = [
            {
                "serial": c.serial,
                "problem": c.problem,
                "note": translate(f"keys.transfer.request.problem.{c.problem}", self.language)
                if c.problem
                else "",
            }
            for c in shown
        ]
        self.request_count, self.request_problems = len(checks), len(marked)

    async def _check(self, caller: Caller, serials: list[str]) -> None:
        checks = await read_in_thread(lambda db: check_serials(db, caller, serials))
        self._request_serials = [c.serial for c in checks]
        self._show_request(checks)

    @rx.event
    async def add_serials(self, form: dict):
        """ "Add to list": the typed or pasted serials join the list, checked, duplicates merged."""
        caller = await self._checked(Role.DISTRIBUTOR, handler="add_serials")
        typed = serial_list(form_text(form, "serials")[:400_000])
        self.errors = {}
        if not typed:
            self.errors = {"serials": translate("keys.transfer.error.no_serials", self.language)}
            return
        await self._check(caller, list(dict.fromkeys(self._request_serials + typed)))
        self.form_generation += 1

    @rx.event
    async def remove_serial(self, serial: str):
        caller = await self._checked(Role.DISTRIBUTOR, handler="remove_serial")
        if isinstance(serial, str) and serial in self._request_serials:
            await self._check(caller, [s for s in self._request_serials if s != serial])

    @rx.event
    async def remove_marked(self):
        caller = await self._checked(Role.DISTRIBUTOR, handler="remove_marked")
        marked = {row["serial"] for row in self.request_rows if row["problem"]}
        await self._check(caller, [s for s in self._request_serials if s not in marked])

    @rx.event
    async def continue_request(self):
        """ "Continue": to the robot check, with a fresh challenge (when nothing is left to fix)."""
        await self._checked(Role.DISTRIBUTOR, handler="continue_request")
        if self.open_dialog != REQUEST:
            return
        if not self._request_serials:
            self.errors = {"serials": translate("keys.transfer.error.no_serials", self.language)}
        elif self.request_problems:
            self.errors = {"serials": translate("keys.transfer.error.serials_to_fix", self.language)}
        else:
            self.robot_challenge = json.dumps(new_challenge())
            self.request_step, self.errors = STEP_ROBOT, {}
            self.form_generation += 1

    @rx.event
    async def back_to_serials(self):
        await self._checked(Role.DISTRIBUTOR, handler="back_to_serials")
        self.request_step, self.errors, self.robot_challenge = STEP_SERIALS, {}, ""

    @rx.event
    async def request_now(self, form: dict):
        caller = await self._checked(Role.DISTRIBUTOR, handler="request_now")
        serials, proof = list(self._request_serials), form_text(form, "altcha")
        if self.open_dialog != REQUEST or not serials:
            return None

        def work() -> list[KeyTransfer]:
            with session_scope() as db:
                return request_units(db, caller, serials, proof)

        done = await run_form(self, work)
        if not done.ok or done.value is None:
            if "robot" in self.errors:  # a used or failed answer: a new challenge to solve
                self.robot_challenge = json.dumps(new_challenge())
                self.form_generation += 1
            if "serials" in self.errors or "form" in self.errors:
                self.request_step = STEP_SERIALS
            return None
        count = sum(transfer.unit_count for transfer in done.value)
        self._close_dialog()
        return rx.toast.success(translate_count("keys.transfer.request.done", self.language, count=count))


def _row_of(row: TransferRow, language: str) -> dict[str, str]:
    units = translate_count("keys.transfer.units", language, count=row.unit_count)
    what = translate(f"keys.transfer.kind.{row.kind}.{'us' if row.started_by_us else 'them'}", language)
    if row.status == "open":
        outcome = ""
    else:
        outcome = translate(f"keys.transfer.status.{row.status}", language)
        if row.decided_by:
            outcome += " " + translate("keys.transfer.by", language, name=row.decided_by)
    return {
        "id": str(row.id),
        "when": format_local_time(row.created_at, language),
        "decided": format_local_time(row.decided_at, language),
        "what": what,
        "direction": translate("keys.transfer.direction." + ("out" if row.outgoing else "in"), language),
        "units": units,
        "counterparty": row.counterparty,
        "started_by": row.started_by,
        "outcome": outcome,
        "status": row.status,
        "accept": "1" if row.can_accept else "",
        "decline": "1" if row.can_decline else "",
        "cancel": "1" if row.can_cancel else "",
    }


class TransferActivitiesState(DialogState, PagedList, SessionState):
    """ "Transfer activities": Open and Closed tabs, server-paged; a row's serials; its answers."""

    LISTER: ClassVar[Role] = Role.DISTRIBUTOR
    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = (Role.DISTRIBUTOR,)
    PAGE_SIZE: ClassVar[int] = PAGE_SIZE
    errors: dict[str, str] = {}
    tab: str = "open"
    # The transfer whose serials (or answer question) is shown.
    chosen_id: str = ""
    chosen_answer: str = ""
    chosen_text: str = ""
    serial_rows: list[str] = []
    serial_total: int = 0
    serial_page: int = 1
    serial_page_count: int = 1

    @rx.var(cache=True)
    def total_text(self) -> str:
        return translate_count("keys.transfer.total", self.language, count=self.total)

    @rx.var(cache=True)
    def serial_page_text(self) -> str:
        return translate(
            "keys.list.page_of", self.language, page=self.serial_page, pages=self.serial_page_count
        )

    @rx.var(cache=True)
    def answer_question(self) -> str:
        if not self.chosen_answer:
            return ""
        return translate(
            f"keys.transfer.answer.{self.chosen_answer}.question", self.language, transfer=self.chosen_text
        )

    def _page_reader(self, caller: Caller) -> PageReader:
        query = TransferQuery(closed=self.tab == "closed", page=self.page, page_size=PAGE_SIZE)
        language = self.language

        def read(db: Session) -> Page:
            found = transfer_page(db, caller, query)
            rows = [_row_of(row, language) for row in found.rows]
            return Page(rows, found.total, found.page, page_count_for(found.total, found.page_size))

        return read

    async def _on_load(self, caller: Caller) -> None:
        self.errors = {}

    @rx.event
    async def show_tab(self, tab: str):
        caller = await self._lister("show_tab")
        self.tab = "closed" if tab == "closed" else "open"
        self.page = 1
        await self._reload(caller)

    def _listed(self, transfer_id: str) -> dict[str, str] | None:
        return next((row for row in self.rows if row["id"] == transfer_id), None)

    def _dialog_closed(self) -> None:
        self.chosen_id, self.chosen_answer, self.chosen_text = "", "", ""
        self.serial_rows, self.serial_total, self.serial_page, self.serial_page_count = [], 0, 1, 1

    async def _load_serials(self, caller: Caller) -> None:
        transfer_id, page = int(self.chosen_id), self.serial_page
        found = await read_in_thread(
            lambda db: transfer_serials(
                db, caller, transfer_id, PageRequest(page=page, page_size=SERIALS_PAGE_SIZE)
            )
        )
        self.serial_rows, self.serial_total = found.rows, found.total
        self.serial_page, self.serial_page_count = found.page, found.pages

    @rx.event
    async def open_serials(self, transfer_id: str):
        caller = await self._checked(Role.DISTRIBUTOR, handler="open_serials")
        row = self._listed(transfer_id) if isinstance(transfer_id, str) else None
        if row is None:
            return
        self._close_dialog()
        self.chosen_id, self.chosen_text = (
            transfer_id,
            f"{row['what']} · {row['units']} · {row['counterparty']}",
        )
        self.serial_page = 1
        self.open_dialog = SERIALS
        await self._load_serials(caller)

    @rx.event
    async def serials_page(self, page: int):
        caller = await self._checked(Role.DISTRIBUTOR, handler="serials_page")
        if self.open_dialog != SERIALS or not self.chosen_id:
            return
        self.serial_page = clamp_page(page, self.serial_page_count)
        await self._load_serials(caller)

    @rx.event
    async def ask_answer(self, transfer_id: str, answer: str):
        """Accept, Decline or Cancel asks first (an acceptance cannot be undone)."""
        await self._checked(Role.DISTRIBUTOR, handler="ask_answer")
        row = self._listed(transfer_id) if isinstance(transfer_id, str) else None
        if row is None or answer not in ANSWERS or not row.get(answer):
            return
        self._close_dialog()
        self.chosen_id, self.chosen_answer = transfer_id, answer
        self.chosen_text = f"{row['what']} · {row['units']} · {row['counterparty']}"
        self.open_dialog = ANSWER

    @rx.event
    async def answer(self, form: dict):
        caller = await self._checked(Role.DISTRIBUTOR, handler="answer")
        transfer_id, answer = int_or_none(self.chosen_id), self.chosen_answer
        if self.open_dialog != ANSWER or transfer_id is None or answer not in ANSWERS:
            return None
        act = {"accept": accept_transfer, "decline": decline_transfer, "cancel": cancel_transfer}[answer]

        def work() -> KeyTransfer:
            with session_scope() as db:
                return act(db, caller, transfer_id)

        done = await run_form(self, work)
        if not done.ok:
            # Someone else decided it meanwhile (or it failed): said, and the list is refreshed.
            message = self.errors.get("form", "")
            self._close_dialog()
            await self._reload(caller)
            return rx.toast.error(message)
        self._close_dialog()
        await self._reload(caller)
        return rx.toast.success(translate(f"keys.transfer.answer.{answer}.done", self.language))
