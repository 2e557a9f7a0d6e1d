"""Numbers in the reader's language, and a source's lag, written one way everywhere."""

from __future__ import annotations

import pytest

from app.i18n.numbers import chart_separators, format_lag, format_number


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "12\u00a0345,7"), ("sv", "12\u00a0345,7"), ("en", "12,345.7")],
)
def test_thousands_and_decimals_follow_the_language(language, expected):
    assert format_number(12345.67, 1, language) == expected


def test_no_value_is_empty_text():
    assert format_number(None, 2, "nb") == ""


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(None, "–"), (59, "59 s"), (600, "10 min"), (7200, "2.0 h")],
)
def test_lag_reads_in_the_largest_sensible_unit(seconds, expected):
    assert format_lag(seconds) == expected


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_chart_numbers_use_the_separators_of_the_text(language):
    """Plotly writes 1234.5 as d3 does with layout.separators: decimal mark, then thousands."""
    decimal, thousands = chart_separators(language)
    assert format_number(1234.5, 1, language) == f"1{thousands}234{decimal}5"
