"""Cells of every CSV and Excel export, made safe to open in a spreadsheet (OWASP CSV injection).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``):
it gets a leading apostrophe, so it shows as the text it is. Numbers stay numbers, and so does
text that is only a number (``-1,250`` in a decimal-comma file), which no spreadsheet runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")

Cell = TypeVar("Cell")


def neutralise_cell(value: Cell) -> Cell | str:
    """The cell as a spreadsheet may open it: a formula-like text prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_row(cells: Iterable[Cell]) -> list[Cell | str]:
    """Every cell of a row through ``neutralise_cell``."""
    return [neutralise_cell(cell) for cell in cells]
