"""Plotly figures of the consumption charts, as plain dicts (``rx.plotly`` draws them).

Pure functions of typed chart data and the texts of the caller's language: no Reflex, no
database. Kept beside the state rather than in ``app/components`` because the state builds
the figure in its handler, and the import contract lets states import nothing above them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.services.customer.consumption.charts import Peak, Period, YearOverview, peak_index
from app.states.customer.consumption_text import ToUnit

ENERGY, POWER = "energy", "power"
# One colour per year, oldest first; readable on white and on the dark theme.
YEAR_COLOURS = ("#94a3b8", "#0ea5e9", "#0d9488")
MEAN_COLOUR, MAX_COLOUR, PEAK_COLOUR = "#0d9488", "#f97316", "#dc2626"
MISSING_COLOUR = "rgba(148, 163, 184, 0.25)"
# Estimated or incomplete values are hatched, so they never pass for measured ones.
HATCH = "/"


@dataclass(frozen=True)
class ChartText:
    """The words a figure shows, in the caller's language, and the energy unit."""

    energy: str
    mean: str
    max: str
    peak: str
    missing_band: str
    unit: str
    # Decimal mark and thousands separator of the reader's language (plotly's layout.separators).
    separators: str = ".,"


def layout(*, grouped: bool = False, y_title: str = "", separators: str = ".,") -> dict[str, Any]:
    return {
        "separators": separators,
        "autosize": True,
        "height": 300,
        "margin": {"l": 48, "r": 8, "t": 8, "b": 36},
        "barmode": "group" if grouped else "overlay",
        "bargap": 0.15,
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "xaxis": {"type": "category", "fixedrange": True, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "fixedrange": True, "rangemode": "tozero"},
        "dragmode": False,
        "hovermode": "closest",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }


def energy_bars(name: str, labels: list[str], periods: Sequence[Period | None], colour: str,
                text: ChartText, to_unit: ToUnit) -> dict[str, Any]:  # fmt: skip
    return {
        "type": "bar",
        "name": name,
        "x": labels,
        "y": [to_unit(p.energy_kwh) if p else None for p in periods],
        "marker": {
            "color": colour,
            "pattern": {
                "shape": [
                    HATCH if p and p.quality in ("estimated", "partial") else "" for p in periods
                ],
            },
        },
        "hovertemplate": "%{x}: %{y} " + text.unit + "<extra>" + name + "</extra>",
    }


def missing_band(labels: list[str], periods: Sequence[Period], top: float, text: ChartText) -> dict:
    """Days or hours without data: a pale full-height band, never a bar of zero."""
    return {
        "type": "bar",
        "name": text.missing_band,
        "x": labels,
        "y": [top if p.energy_kwh is None else None for p in periods],
        "marker": {"color": MISSING_COLOUR},
        "hoverinfo": "name",
    }


def power_traces(name_prefix: str, labels: list[str], periods: Sequence[Period | None],
                 mean_colour: str, max_colour: str, text: ChartText) -> list[dict[str, Any]]:  # fmt: skip
    prefix = f"{name_prefix} " if name_prefix else ""
    return [
        {
            "type": "scatter", "mode": "lines+markers", "connectgaps": False,
            "name": prefix + text.mean, "x": labels,
            "y": [p.power_mean_kw if p else None for p in periods],
            "line": {"color": mean_colour, "dash": "dot"},
        },
        {
            "type": "scatter", "mode": "lines+markers", "connectgaps": False,
            "name": prefix + text.max, "x": labels,
            "y": [p.power_max_kw if p else None for p in periods],
            "line": {"color": max_colour},
        },
    ]


def peak_marker(label: str, power: float, text: ChartText) -> dict[str, Any]:
    return {
        "type": "scatter", "mode": "markers+text", "name": text.peak,
        "x": [label], "y": [power], "text": [text.peak],
        "textposition": "top center",
        "marker": {"color": PEAK_COLOUR, "size": 12, "symbol": "star"},
    }


def year_figure(overview: YearOverview, month_names: list[str], mode: str, text: ChartText,
                to_unit: ToUnit) -> tuple[dict[str, Any], list[int]]:  # fmt: skip
    """The years side by side, and the year of each trace (what a tap on a trace opens)."""
    traces: list[dict[str, Any]] = []
    years: list[int] = []
    colours = YEAR_COLOURS[-len(overview.years):] if overview.years else YEAR_COLOURS
    for series, colour in zip(overview.years, colours):
        if mode == ENERGY:
            traces.append(energy_bars(str(series.year), month_names, series.months, colour, text, to_unit))
            years.append(series.year)
        else:
            traces += power_traces(str(series.year), month_names, series.months, colour, colour, text)
            years += [series.year, series.year]
    peak = overview.peak_month
    if mode == POWER and peak is not None:
        traces.append(peak_marker(month_names[peak.month - 1], peak.power_kw, text))
        years.append(peak.year)
    y_title = text.unit if mode == ENERGY else "kW"
    figure_layout = layout(grouped=True, y_title=y_title, separators=text.separators)
    return {"data": traces, "layout": figure_layout}, years


def periods_figure(labels: list[str], periods: Sequence[Period], peak: Peak | None, mode: str,
                   text: ChartText, to_unit: ToUnit) -> dict[str, Any]:  # fmt: skip
    """The days of a month or the hours of a day."""
    if mode == ENERGY:
        values = [to_unit(p.energy_kwh) or 0.0 for p in periods]
        top = max(values, default=0.0) or 1.0
        traces = [energy_bars(text.energy, labels, periods, YEAR_COLOURS[-1], text, to_unit)]
        if any(p.energy_kwh is None for p in periods):
            traces.append(missing_band(labels, periods, top, text))
        y_title = text.unit
    else:
        traces = power_traces("", labels, periods, MEAN_COLOUR, MAX_COLOUR, text)
        index = peak_index(periods, peak)
        if peak is not None and index is not None:
            traces.append(peak_marker(labels[index], peak.power_kw, text))
        y_title = "kW"
    return {"data": traces, "layout": layout(y_title=y_title, separators=text.separators)}
