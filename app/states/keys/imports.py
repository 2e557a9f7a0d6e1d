"""Importing keys: upload a Kamstrup .kem/.kem2 (with its export password) or a CSV, preview, confirm.

The parsed keys wait sealed in the database (a staged batch), never in state: state holds the
batch id and the rows' serials and problems. "Cancel" writes nothing; "Confirm import" writes
every good row or none, in a background event that reports its progress.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePath

import reflex as rx

from app.db import session_scope
from app.i18n import translate, translate_count
from app.models import Role
from app.services.errors import AccessDenied, DomainError
from app.services.keys.imports import (
    ImportOutcome,
    ImportPreview,
    ImportRow,
    cancel_import,
    confirm_import,
    stage_csv_import,
    stage_kem_import,
)
from app.states.form import form_checked, run_form
from app.states.keys.calls import REAUTHENTICATION_FLOW
from app.states.keys.display import attribute_text, format_count
from app.states.session import SessionState

UPLOAD_ID = "key-file"
KEM_SUFFIXES = (".kem", ".kem2")
CSV_SUFFIXES = (".csv", ".txt")
MAX_FILE_BYTES = 20 * 1024 * 1024
# The preview lists every bad row (up to this many) and the first good ones.
BAD_ROWS_SHOWN = 1000
GOOD_ROWS_SHOWN = 20
PROGRESS_EVERY_SECONDS = 0.25
SKIPPED_SERIALS_SHOWN = 50


class KeyImportState(SessionState):
    errors: dict[str, str] = {}
    batch_id: int = 0
    filename: str = ""
    good: int = 0
    bad: int = 0
    replacing: int = 0  # good rows whose unit already has a key
    bad_rows: list[dict[str, str]] = []
    good_rows: list[dict[str, str]] = []
    importing: bool = False
    progress_done: int = 0
    progress_total: int = 0
    # Set once an import was written: the page then says how many and offers another.
    imported: int = -1
    # The units confirming skipped because they already had a key (replacing was not ticked).
    skipped_serials: list[str] = []

    @rx.var(cache=True)
    def summary_text(self) -> str:
        """New keys, rows for units that already have one (skipped unless replacing is ticked, as
        the callout beside says), and bad rows: never "can be imported" for a row that is skipped."""
        language = self.language
        parts = {"new": self.good - self.replacing, "existing": self.replacing, "bad": self.bad}
        counts = [
            translate_count(f"keys.page.import.summary_{part}", language, count=count)
            for part, count in parts.items()
            if count or part != "existing"
        ]
        return translate(
            "keys.page.import.summary", language, filename=self.filename, counts=", ".join(counts)
        )

    @rx.var(cache=True)
    def replacing_text(self) -> str:
        return translate_count("keys.page.import.replacing", self.language, count=self.replacing)

    @rx.var(cache=True)
    def skipped_text(self) -> str:
        return translate_count(
            "keys.page.import.skipped",
            self.language,
            count=len(self.skipped_serials),
            serials=", ".join(self.skipped_serials[:SKIPPED_SERIALS_SHOWN]),
        )

    @rx.var(cache=True)
    def progress_text(self) -> str:
        return translate_count(
            "keys.page.import.progress",
            self.language,
            count=self.progress_total,
            done=format_count(self.progress_done, self.language),
        )

    @rx.var(cache=True)
    def progress_percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @rx.var(cache=True)
    def imported_text(self) -> str:
        return translate_count("keys.page.import.done", self.language, count=max(self.imported, 0))

    def _clear(self) -> None:
        self.batch_id = self.good = self.bad = self.replacing = 0
        self.filename = ""
        self.bad_rows = []
        self.good_rows = []
        self.progress_done = self.progress_total = 0

    def _row(self, row: ImportRow) -> dict[str, str]:
        return {
            "line": str(row.line),
            "serial": row.serial,
            "kind": attribute_text("keys.list.kind", row.kind, self.language),
            "model": row.model,
            "medium": attribute_text("keys.list.medium", row.medium, self.language),
            "problem": translate(row.problem, self.language) if row.problem else "",
            "note": translate("keys.page.import.replaces", self.language) if row.replaces else "",
        }

    def _show(self, preview: ImportPreview) -> None:
        self.batch_id, self.filename = preview.batch_id, preview.filename
        self.good, self.bad, self.replacing = preview.good, preview.bad, preview.replacing
        self.bad_rows = [self._row(row) for row in preview.rows if row.problem][:BAD_ROWS_SHOWN]
        # Rows that replace a key come first, so the preview shows them all (up to the bad rows' limit).
        good = sorted((row for row in preview.rows if not row.problem), key=lambda row: not row.replaces)
        shown = max(GOOD_ROWS_SHOWN, min(preview.replacing, BAD_ROWS_SHOWN))
        self.good_rows = [self._row(row) for row in good][:shown]

    @rx.event
    async def load(self) -> None:
        await self._checked(Role.DISTRIBUTOR, handler="load")
        self.errors = {}
        self.imported = -1
        self.skipped_serials = []
        if not self.importing:
            self._clear()

    @rx.event
    async def stage_upload(self, files: list[rx.UploadFile], password: str):
        """Read the chosen file and stage it; the export password arrives with the upload, never kept."""
        caller = await self._checked(Role.DISTRIBUTOR, handler="stage_upload")
        self.imported = -1
        if self.batch_id:
            return None  # one preview at a time: cancel or confirm it first
        if not files:
            self.errors = {"file": translate("keys.page.import.choose_file", self.language)}
            return None
        upload = files[0]
        filename = PurePath(upload.name or upload.filename or "keys").name[:200]
        content = await upload.read()
        suffix = PurePath(filename).suffix.lower()
        if len(content) > MAX_FILE_BYTES:
            self.errors = {"file": translate("keys.page.import.too_large", self.language)}
            return None
        if suffix in KEM_SUFFIXES and not password:
            self.errors = {"password": translate("keys.page.import.password_needed", self.language)}
            return None
        if suffix not in KEM_SUFFIXES + CSV_SUFFIXES:
            self.errors = {"file": translate("keys.page.import.unknown_type", self.language)}
            return None

        def work() -> ImportPreview:
            with session_scope() as db:
                if suffix in KEM_SUFFIXES:
                    return stage_kem_import(db, caller, filename, content, password)
                return stage_csv_import(db, caller, filename, content)

        done = await run_form(self, work, passes=REAUTHENTICATION_FLOW)
        if done.ok and done.value is not None:
            self._show(done.value)
        return None

    @rx.event
    async def cancel(self):
        caller = await self._checked(Role.DISTRIBUTOR, handler="cancel")
        batch_id = self.batch_id
        if not batch_id or self.importing:
            return None

        def work() -> None:
            with session_scope() as db:
                cancel_import(db, caller, batch_id)

        if (await run_form(self, work, passes=REAUTHENTICATION_FLOW)).ok:
            self._clear()
            return rx.toast.info(translate("keys.page.import.cancelled", self.language))
        return None

    @rx.event(background=True)
    async def confirm(self, form: dict):
        """Write the batch; units that already have a key get the new one only when the form's
        "Replace existing keys" box was ticked."""
        replace_existing = form_checked(form, "replace_existing")
        async with self:
            caller = await self._checked(Role.DISTRIBUTOR, handler="confirm")
            batch_id = self.batch_id
            if not batch_id or self.importing:
                return None
            self.importing = True
            self.progress_done, self.progress_total = 0, self.good
            language = self.language
        latest = [0, 0]

        def progress(done: int, total: int) -> None:
            latest[0], latest[1] = done, total

        def work() -> ImportOutcome:
            with session_scope() as db:
                return confirm_import(db, caller, batch_id, progress, replace_existing=replace_existing)

        task = asyncio.ensure_future(asyncio.to_thread(work))
        while not task.done():
            await asyncio.wait({task}, timeout=PROGRESS_EVERY_SECONDS)
            async with self:
                self.progress_done, self.progress_total = latest[0], latest[1] or self.progress_total
        async with self:
            self.importing = False
            try:
                outcome = task.result()
            except AccessDenied:
                raise
            except DomainError as error:
                self.errors = {"form": error.message(language)}
                return None
            self._clear()
            self.errors = {}
            self.imported = outcome.written
            self.skipped_serials = outcome.skipped
            return rx.toast.success(translate_count("keys.page.import.done", language, count=outcome.written))
