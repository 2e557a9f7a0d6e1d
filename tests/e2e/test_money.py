"""Min side in kroner on a phone (issue 26): the kr view at every chart level, stacked by
component, with the current month's estimate; the invoices newest first and their PDFs."""

from __future__ import annotations

import re
import zlib

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import Medium, Role
from app.models.invoice import Invoice
from tests.e2e.conftest import first_relationship, has_horizontal_overflow, sign_in
from tests.factories import demo_relationship

pytestmark = pytest.mark.e2e


def t(key: str, **params) -> str:
    return translate(key, "nb", **params)


def _wait_for_kr(page: Page, level: str) -> None:
    expect(page.locator(f"#consumption-chart[data-level='{level}'][data-mode='kr']")).to_be_visible()
    page.wait_for_function(
        """() => {
            const plot = document.querySelector('#consumption-chart .js-plotly-plot');
            return !!(plot && plot.data && plot.layout && plot.layout.barmode === 'stack'
                      && plot.data.length >= 3 && plot.data.every(t => t.type === 'bar'));
        }"""
    )
    expect(page.locator("#cost-table tbody tr").first).to_be_visible()


def _stacked(page: Page) -> dict[str, list]:
    return page.evaluate(
        """() => Object.fromEntries(document.querySelector('#consumption-chart .js-plotly-plot').data
              .map(t => [t.name, t.y]))"""
    )


def _kr(text: str) -> float | None:
    """'1 234,56 kr' -> 1234.56; '' (a gap) -> None."""
    text = text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u202f", " ").strip()
    if not text.endswith("kr"):
        return None
    return float(text.removesuffix("kr").replace(" ", "").replace("\u2212", "-").replace(",", "."))


def _cost_table(page: Page) -> list[dict[str, str]]:
    return page.evaluate(
        """() => [...document.querySelectorAll('#cost-table tbody tr')].map(tr => {
            const row = {label: tr.querySelector('th').innerText.trim()};
            for (const td of tr.querySelectorAll('td[data-column]')) {
                row[td.dataset.column] = td.innerText.trim();
            }
            return row;
        })"""
    )


def _check_stacked(page: Page, level: str) -> None:
    """Spot, grid and taxes are stacked; each bar adds up to the table's total for its period."""
    _wait_for_kr(page, level)
    traces = _stacked(page)
    assert {t("cost.spot"), t("cost.grid"), t("cost.taxes")} <= set(traces), traces.keys()
    rows = _cost_table(page)
    assert len(rows) == len(next(iter(traces.values())))
    priced = 0
    for index, row in enumerate(rows):
        parts = [trace[index] for trace in traces.values()]
        total = _kr(row["total"])
        if total is None:  # a gap: no bar at all, never 0 kr
            assert all(part is None for part in parts), (level, row)
            continue
        priced += 1
        assert sum(part for part in parts if part is not None) == pytest.approx(total, abs=0.02), (level, row)
        for component in ("spot", "grid", "taxes"):
            assert _kr(row[component]) == pytest.approx(traces[t(f"cost.{component}")][index], abs=0.006)
    assert priced > 0, f"no priced period at the {level} level"
    assert not has_horizontal_overflow(page)
    _check_columns(page)


def _check_columns(page: Page) -> None:
    """Every row of the kr table spans the header's columns, no more (with the mark-up column
    hidden the footer once spanned one too many, adding an empty column), and the footer's total
    ends where the header's total column does."""
    shape = page.evaluate(
        """() => {
            const table = document.querySelector('#cost-table');
            const width = tr => [...tr.cells].reduce((n, cell) => n + cell.colSpan, 0);
            const right = el => el.getBoundingClientRect().right;
            const head = table.querySelector('thead tr');
            return {
                head: width(head),
                rows: [...table.querySelectorAll('tbody tr, tfoot tr')].map(width),
                headRight: right(head.cells[head.cells.length - 1]),
                footRight: right(table.querySelector("tfoot td[data-column='total']")),
            };
        }"""
    )
    assert set(shape["rows"]) == {shape["head"]}, shape
    assert shape["footRight"] == pytest.approx(shape["headRight"], abs=1), shape


def test_the_kr_view_at_every_level_stacks_the_components_and_estimates_this_month(
    phone_page: Page, base_url: str
):
    page = phone_page
    relationship_id, _ = first_relationship(Medium.ELECTRICITY)
    sign_in(page, Role.CUSTOMER, relationship_id)
    page.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    table = page.locator("#consumption-table")
    expect(table.locator("tbody tr[data-key]").first).to_be_visible()
    kroner = page.get_by_role("button", name=t("consumption.kr"), exact=True)
    energy = page.get_by_role("button", name=t("consumption.energy"), exact=True)

    # Year: twelve months stacked by component.
    kroner.click()
    _check_stacked(page, "year")
    expect(page.locator("#cost-estimate")).to_have_count(0)

    # This month (the year table's last row): its days, cost so far and the month's estimate.
    energy.click()
    expect(table.locator("tbody tr[data-key]").first).to_be_visible()
    table.locator("tbody tr[data-key] th button").last.click()
    expect(page.locator("#consumption-chart[data-level='month']")).to_be_visible()
    kroner.click()
    _check_stacked(page, "month")
    estimate = page.locator("#cost-estimate")
    expect(estimate).to_be_visible()
    amounts = [_kr(a + "kr") for a in re.findall(r"([\d\s\u00a0\u202f]+,\d\d)\s*kr", estimate.inner_text())]
    assert len(amounts) == 2, estimate.inner_text()
    so_far, whole = amounts
    assert 0 < so_far < whole, estimate.inner_text()
    total = _kr(page.locator("#cost-table tfoot td[data-column='total']").inner_text())
    assert so_far == pytest.approx(total, abs=0.02)

    # A day of this month: its hours stacked by component.
    energy.click()
    expect(table.locator("tbody tr[data-key]").first).to_be_visible()
    table.locator("tbody tr[data-key] th button").first.click()
    expect(page.locator("#consumption-chart[data-level='day']")).to_be_visible()
    kroner.click()
    _check_stacked(page, "day")
    hours = _cost_table(page)
    assert len(hours) in (23, 24, 25)
    assert [h["label"] for h in hours][:2] == ["00", "01"]


def _pdf_text(content: bytes) -> bytes:
    """A PDF's bytes with its deflated streams inflated (fpdf2 compresses its pages)."""
    parts = [content]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_invoices_are_listed_newest_first_and_download_their_own_pdf(phone_page: Page, base_url: str):
    page = phone_page
    # The demo customer's own relationship: its invoices (and their PDFs) come from the utility's
    # billing, which no test writes; this test only reads them.
    with session_scope() as db:
        relationship_id = demo_relationship(db, Medium.ELECTRICITY).id or 0
    with session_scope() as db:
        expected = [
            i.invoice_number
            for i in db.exec(
                select(Invoice)
                .where(Invoice.relationship_id == relationship_id)
                .order_by(col(Invoice.invoice_date).desc(), col(Invoice.id).desc())
            ).all()
        ]
    assert len(expected) >= 2, "the demo gives this customer a year of invoices"
    sign_in(page, Role.CUSTOMER, relationship_id)
    page.goto(base_url + routes.CUSTOMER_INVOICES)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("invoices.heading"))
    cards = page.locator("#invoices > li")
    expect(cards.first).to_be_visible()
    shown = [h.inner_text().strip() for h in cards.locator("h2").all()]
    assert shown == [t("invoices.invoice", number=n) for n in expected[: len(shown)]]
    assert not has_horizontal_overflow(page)

    # The second invoice's button (not just the first): its own PDF comes down.
    wanted = expected[1]
    button = page.get_by_role("button", name=t("invoices.download_label", number=wanted))
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = download.path()
    assert path is not None
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    assert wanted.encode() in text
    assert expected[0].encode() not in text
