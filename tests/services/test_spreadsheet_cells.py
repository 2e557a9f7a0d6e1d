"""Every CSV and Excel export goes through one cell-neutralising function (OWASP CSV injection):
each export is fed a hostile cell and hands it back as text, while numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from app.services.consumption.derivation import MEASURED
from app.services.customer.consumption.exports import (
    ExportTable,
    HourValue,
    grid_company_hourly_csv,
    table_csv,
    table_xlsx,
)
from app.services.spreadsheet_cells import neutralise_cell, neutralise_row

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://x.example","y")',
]


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_formula_like_text_is_prefixed(cell):
    assert neutralise_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell",
    ["KAM57000074", "", "'=already", "a=b", "1,250", "-1,250", "-12.5", "+47", "-3e5", 12.5, -4.25, 0, None],
)
def test_numbers_and_plain_text_stay_as_they_are(cell):
    assert neutralise_cell(cell) == cell


def test_a_row_keeps_its_types():
    assert neutralise_row(["=1+1", -2.5, None, "x"]) == ["'=1+1", -2.5, None, "x"]


def test_the_consumption_csv_and_xlsx_neutralise_text_and_keep_negative_numbers():
    table = ExportTable(
        "Forbruk",
        ["Dag", "kWh", '=HYPERLINK("http://x")'],
        [["=cmd|' /C calc'!A0", -12.5, "@evil"], ["2025-01-02", None, "-1,5"]],
    )
    rows = list(csv.reader(io.StringIO(table_csv(table))))
    assert rows == [
        ["Dag", "kWh", '\'=HYPERLINK("http://x")'],
        ["'=cmd|' /C calc'!A0", "-12.5", "'@evil"],
        ["2025-01-02", "", "-1,5"],
    ]
    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    cells = [list(row) for row in sheet.iter_rows()]
    assert [[cell.value for cell in row] for row in cells] == [
        ["Dag", "kWh", '\'=HYPERLINK("http://x")'],
        ["'=cmd|' /C calc'!A0", -12.5, "'@evil"],
        ["2025-01-02", None, "-1,5"],
    ]
    # No cell is a formula; the negative number is a number.
    assert all(cell.data_type != "f" for row in cells for cell in row)
    assert cells[1][1].data_type == "n"


def test_the_grid_companys_hourly_file_neutralises_text_and_keeps_negative_volumes():
    text = grid_company_hourly_csv("=1+2", [HourValue(1_735_686_000, -1.25, MEASURED)])
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][0] == "'=1+2" and rows[1][3] == "-1,250"
