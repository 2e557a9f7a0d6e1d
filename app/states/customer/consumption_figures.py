"""Plotly figures of the consumption charts, as plain dicts (``rx.plotly`` draws them).

Pure functions of typed chart data and the texts of the caller's language: no Reflex, no
database. Kept beside the state rather than in ``app/components`` because the state builds
the figure in its handler, and the import contract lets states import nothing above them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
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


def energy_bars(
    name: str,
    labels: list[str],
    periods: Sequence[Period | None],
    colour: str,
    text: ChartText,
    to_unit: ToUnit,
) -> dict[str, Any]:
    return {
        "type": "bar",
        "name": name,
        "x": labels,
        "y": [to_unit(p.energy_kwh) if p else None for p in periods],
        "marker": {
            "color": colour,
            "pattern": {
                "shape": [HATCH if p and p.quality in ("estimated", "partial") else "" for p in periods],
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


def power_traces(
    name_prefix: str,
    labels: list[str],
    periods: Sequence[Period | None],
    mean_colour: str,
    max_colour: str,
    text: ChartText,
) -> list[dict[str, Any]]:
    prefix = f"{name_prefix} " if name_prefix else ""
    return [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "connectgaps": False,
            "name": prefix + text.mean,
            "x": labels,
            "y": [p.power_mean_kw if p else None for p in periods],
            "line": {"color": mean_colour, "dash": "dot"},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "connectgaps": False,
            "name": prefix + text.max,
            "x": labels,
            "y": [p.power_max_kw if p else None for p in periods],
            "line": {"color": max_colour},
        },
    ]


def peak_marker(label: str, power: float, text: ChartText) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "markers+text",
        "name": text.peak,
        "x": [label],
        "y": [power],
        "text": [text.peak],
        "textposition": "top center",
        "marker": {"color": PEAK_COLOUR, "size": 12, "symbol": "star"},
    }


def year_figure(
    overview: YearOverview, month_names: list[str], mode: str, text: ChartText, to_unit: ToUnit
) -> tuple[dict[str, Any], list[int]]:
    """The years side by side, and the year of each trace (what a tap on a trace opens)."""
    traces: list[dict[str, Any]] = []
    years: list[int] = []
    colours = YEAR_COLOURS[-len(overview.years) :] if overview.years else YEAR_COLOURS
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


# The plain bars stand where plotly's plot area will be (its margins: layout() above), so the
# interactive chart replaces them without moving anything.
_PLAIN_BAR_SLOT = 100  # viewBox units per month
_PLAIN_BAR_GAP = 0.15  # of a month's slot, as layout()'s bargap


def year_bars_markup(overview: YearOverview, month_names: list[str], to_unit: ToUnit) -> str:
    """The year overview's energy bars as plain HTML and SVG, drawn before plotly has loaded.

    A phone parses and draws plotly in seconds; these bars need neither. Each bar carries the
    period key and the value of its row in the table (``data-key``, ``data-value``). The
    markup holds only numbers, colours and the month names of the translation tables.
    """
    colours = YEAR_COLOURS[-len(overview.years) :] if overview.years else YEAR_COLOURS
    values = [[to_unit(p.energy_kwh) if p else None for p in s.months] for s in overview.years]
    top = max((v for row in values for v in row if v), default=0.0) * 1.05 or 1.0
    count = max(len(overview.years), 1)
    width = _PLAIN_BAR_SLOT * (1 - _PLAIN_BAR_GAP) / count
    bars: list[str] = []
    for trace, (series, colour) in enumerate(zip(overview.years, colours)):
        for month, period in enumerate(series.months):
            value = values[trace][month]
            if period is None or value is None:
                continue
            height = max(value, 0.0) / top * 100
            x = month * _PLAIN_BAR_SLOT + _PLAIN_BAR_SLOT * _PLAIN_BAR_GAP / 2 + trace * width
            hatched = period.quality in ("estimated", "partial")
            bars.append(
                f'<rect data-bar="" data-key="{escape(period.key)}" data-value="{value!r}" '
                f'data-year="{series.year}" x="{x:.2f}" y="{100 - height:.2f}" width="{width:.2f}" '
                f'height="{height:.2f}" fill="{colour}"' + (' fill-opacity="0.55"' if hatched else "") + "/>"
            )
    legend = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:4px">'
        f'<span style="width:12px;height:12px;background:{colour}"></span>{series.year}</span>'
        for series, colour in zip(overview.years, colours)
    )
    labels = "".join(f'<span style="flex:1;text-align:center">{escape(name)}</span>' for name in month_names)
    return (
        '<div style="display:flex;flex-direction:column;height:300px;padding:0 8px 0 48px;'
        'box-sizing:border-box;font-size:12px">'
        f'<div style="display:flex;gap:12px;height:28px;align-items:center">{legend}</div>'
        f'<svg viewBox="0 0 {_PLAIN_BAR_SLOT * 12} 100" preserveAspectRatio="none" focusable="false" '
        'style="flex:1;width:100%;border-bottom:1px solid currentColor">'
        f"{''.join(bars)}</svg>"
        f'<div style="display:flex;height:28px;align-items:center">{labels}</div></div>'
    )


def periods_figure(
    labels: list[str],
    periods: Sequence[Period],
    peak: Peak | None,
    mode: str,
    text: ChartText,
    to_unit: ToUnit,
) -> dict[str, Any]:
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


KR = "kr"
# The kr view's components, bottom to top, and their colours.
COST_COLOURS = {"spot": "#0ea5e9", "markup": "#6366f1", "grid": "#0d9488", "taxes": "#f97316"}


def cost_figure(
    labels: list[str], rows: Sequence[Any], names: dict[str, str], separators: str = ".,"
) -> dict[str, Any]:
    """The kr view: each period's cost stacked by component (spot, the supplier's mark-up when
    known, grid, taxes); a period without cost has no bar (a gap, never 0 kr)."""
    traces = []
    for component, colour in COST_COLOURS.items():
        values = [None if getattr(r, component) is None else float(getattr(r, component)) for r in rows]
        if component == "markup" and all(v is None for v in values):
            continue
        hover = f"%{{x}}: %{{y:.2f}} kr<extra>{escape(names[component])}</extra>"
        traces.append(
            {
                "type": "bar",
                "name": names[component],
                "x": labels,
                "y": values,
                "marker": {"color": colour},
                "hovertemplate": hover,
            }
        )
    figure_layout = layout(y_title="kr", separators=separators)
    figure_layout["barmode"] = "stack"
    return {"data": traces, "layout": figure_layout}
