"""Min side, earlier invoices: one page of the relationship's invoices, and their PDFs."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.clock import local_now
from app.i18n import translate
from app.i18n.numbers import format_number
from app.i18n.times import format_local_date
from app.models import Role
from app.services.caller import Caller
from app.services.consumption.local_time import local_zone
from app.services.customer.invoices import InvoiceRow, invoice_pdf, is_overdue, list_invoices
from app.services.customer.sharing import record_shared_view
from app.states.db_thread import read_in_thread
from app.states.paging import Page, PagedList, PageReader, PagingTexts, int_or_none, page_count_for
from app.states.session import SessionState


class InvoicesState(PagedList, SessionState):
    LISTER: ClassVar[Role] = Role.CUSTOMER
    TEXTS: ClassVar[PagingTexts] = PagingTexts(
        page_of="invoices.page_of",
        previous="invoices.previous",
        next="invoices.next",
        label="invoices.pages_label",
    )
    loaded: bool = False

    def _shown(self, row: InvoiceRow, today: date) -> dict[str, str]:
        language = self.language
        kr = "kr"
        overdue = is_overdue(row, today)
        status = "overdue" if overdue else row.status
        return {
            "id": str(row.id),
            "number": row.invoice_number,
            "title": translate("invoices.invoice", language, number=row.invoice_number),
            "date": format_local_date(row.invoice_date, language),
            "period": "–".join(format_local_date(d, language) for d in (row.period_start, row.period_end)),
            "amount": f"{format_number(row.amount_kr, 2, language)} {kr}",
            "vat": f"{format_number(row.vat_kr, 2, language)} {kr}",
            "due": format_local_date(row.due_date, language),
            "status": status,
            "status_label": translate(f"invoices.status.{status}", language),
            "overdue": "yes" if overdue else "",
            "consumption": (
                f"{format_number(row.consumption_kwh, 1, language)} kWh"
                if row.consumption_kwh is not None
                else translate("invoices.no_data", language)
            ),
            "cost": (
                f"{format_number(row.portal_cost_kr, 2, language)} {kr}"
                if row.portal_cost_kr is not None
                else translate("invoices.no_data", language)
            ),
            "cost_note": (
                ""
                if row.portal_cost_kr is None or row.portal_cost_complete
                else translate("invoices.portal_cost_partial", language)
            ),
            "has_pdf": "yes" if row.has_pdf else "",
            "download_label": translate("invoices.download_label", language, number=row.invoice_number),
        }

    def _page_reader(self, caller: Caller) -> PageReader:
        wanted = self.page

        def read(db: Session) -> Page:
            found = list_invoices(db, caller, page=wanted)
            today = local_now(local_zone()).date()
            rows = [self._shown(row, today) for row in found.rows]
            return Page(rows, found.total, found.page, page_count_for(found.total, found.page_size))

        return read

    @rx.event
    async def load(self):
        caller = await self._lister("load")
        self.page = 1
        await self._reload(caller)
        self.loaded = True
        # A relationship shared with them: the first look of the day is shown to its owner.
        await read_in_thread(lambda db: record_shared_view(db, caller))

    @rx.event
    async def download(self, invoice_id: str):
        """The invoice's PDF to this browser, if it is an invoice of this session's relationship."""
        caller = await self._checked(Role.CUSTOMER, handler="download")
        wanted = int_or_none(invoice_id)
        pdf = await read_in_thread(lambda db: invoice_pdf(db, caller, wanted if wanted is not None else -1))
        return rx.download(data=pdf.content, filename=pdf.filename, mime_type="application/pdf")
