"""Numbers and durations written the way the reader's language writes them."""

from __future__ import annotations


def format_number(value: float | None, decimals: int, language: str) -> str:
    """1 234,5 in Norwegian and Swedish, 1,234.5 in English; empty for no value."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    if language == "en":
        return text
    # A no-break space between thousands, so a number never wraps across lines.
    return text.replace(",", "\u00a0").replace(".", ",")


def chart_separators(language: str) -> str:
    """Plotly's ``layout.separators`` (decimal mark, then thousands): its tooltips and axis
    numbers written as format_number writes them."""
    return ".," if language == "en" else ",\u00a0"


def format_lag(seconds: float | None) -> str:
    """How far behind a source is: seconds, minutes or hours, whichever reads best."""
    if seconds is None:
        return "–"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
