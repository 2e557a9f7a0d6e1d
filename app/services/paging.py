"""One page of a list: which page of how many rows, and the rows (every area's services)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

# However many rows a caller asks for, one page holds at most this many.
MAX_PAGE_SIZE = 500

RowT = TypeVar("RowT")


@dataclass(frozen=True)
class PageRequest:
    """Which page (from 1) of how many rows; a list's query adds its filters (by keyword)."""

    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class Page(Generic[RowT]):
    rows: list[RowT]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class PageWindow:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def page_window(page: int, page_size: int, total: int) -> PageWindow:
    """The asked-for page (from 1) kept within the rows there are; the size within 1..MAX_PAGE_SIZE."""
    size = min(MAX_PAGE_SIZE, max(1, page_size))
    return PageWindow(page=min(max(1, page), max(1, math.ceil(total / size))), size=size)
