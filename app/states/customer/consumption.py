"""Min side, consumption: year -> month -> day drill-down, energy or power, exports.

Every handler starts by resolving the caller on the server and finds the meter through the
principal's customer relationship: the browser never names a meter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from app.clock import utcnow
from app.db import session_scope
from app.i18n import translate
from app.models import Medium, Role
from app.services.consumption import (
    CustomerMeter,
    ExportTable,
    Peak,
    Period,
    capacity_tariff_basis,
    customer_meter,
    data_until,
    day_view,
    grid_company_hourly_csv,
    hourly_values,
    local_zone,
    month_view,
    period_bounds,
    table_csv,
    table_xlsx,
    year_overview,
)
from app.services.sessions import Principal
from app.states.session import SessionState

YEAR, MONTH, DAY = "year", "month", "day"
ENERGY, POWER = "energy", "power"
# One colour per year, oldest first; readable on white and on the dark theme.
YEAR_COLOURS = ("#94a3b8", "#0ea5e9", "#0d9488")
MEAN_COLOUR, MAX_COLOUR, PEAK_COLOUR = "#0d9488", "#f97316", "#dc2626"
MISSING_COLOUR = "rgba(148, 163, 184, 0.25)"
# Estimated or incomplete values are hatched, so they never pass for measured ones.
HATCH = "/"


def format_number(value: float | None, decimals: int, language: str) -> str:
    """1 234,5 in Norwegian, 1,234.5 in English; empty for no value."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    if language == "en":
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


class ConsumptionState(SessionState):
    level: str = YEAR
    mode: str = ENERGY
    loading: bool = True
    empty: bool = False
    heat: bool = False
    # The shown month ("2025-01-01") and day ("2025-01-31"), for headings and exports.
    month_key: str = ""
    day_key: str = ""
    heading: str = ""
    freshness: str = ""
    figure: dict[str, Any] = {}
    table_rows: list[dict[str, str]] = []
    table_total: str = ""
    year_lines: list[str] = []
    peak_line: str = ""
    capacity: dict[str, str] = {}
    # What a click on the chart opens: the year of each trace, the key of each category.
    _trace_years: list[int] = []
    _categories: list[str] = []
    _category_keys: list[str] = []

    # -- helpers --------------------------------------------------------------------------------

    def _text(self, key: str, **params: object) -> str:
        return translate(key, self.language, **params)

    @rx.var
    def energy_unit(self) -> str:
        """MWh only for heat months: a heat meter's day or hour in MWh rounds to 0,02 or 0,00."""
        return "MWh" if self.heat and self.level == YEAR else "kWh"

    @property
    def _unit(self) -> str:
        return self.energy_unit

    def _energy(self, kwh: float | None) -> float | None:
        if kwh is None:
            return None
        return round(kwh / 1000, 4) if self.energy_unit == "MWh" else round(kwh, 3)

    def _energy_text(self, kwh: float | None) -> str:
        value = self._energy(kwh)
        # Months of heat in MWh, days in kWh with one decimal, hours with two.
        decimals = 2 if self.energy_unit == "MWh" or self.level == DAY else 1
        return format_number(value, decimals, self.language)

    def _month_names(self) -> list[str]:
        return self._text("consumption.months").split(",")

    def _local(self, epoch: int) -> datetime:
        return datetime.fromtimestamp(epoch, local_zone())

    def _moment_text(self, epoch: int) -> str:
        moment = self._local(epoch)
        month = self._month_names()[moment.month - 1]
        return f"{moment.day}. {month} {moment.year} {moment:%H:%M}"

    def _day_title(self, day: date) -> str:
        return f"{day.day}. {self._month_names()[day.month - 1]} {day.year}"

    def _quality_text(self, quality: str) -> str:
        return self._text(f"consumption.quality.{quality}")

    def _set_freshness(self, db: Session, principal: Principal, meter: CustomerMeter) -> None:
        until = data_until(db, principal, meter.meter_id)
        self.freshness = (
            self._text("consumption.data_until", when=self._moment_text(int(until.timestamp())))
            if until else self._text("consumption.no_data_yet")
        )

    def _set_peak(self, peak: Peak | None) -> None:
        self.peak_line = (
            self._text("consumption.peak_line",
                       power=format_number(peak.power_kw, 2, self.language),
                       when=self._moment_text(peak.at))
            if peak else ""
        )

    # -- figures --------------------------------------------------------------------------------

    def _layout(self, *, grouped: bool = False, y_title: str = "") -> dict[str, Any]:
        return {
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

    def _bars(self, name: str, labels: list[str], periods: Sequence[Period | None],
              colour: str) -> dict[str, Any]:
        return {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [self._energy(p.energy_kwh) if p else None for p in periods],
            "marker": {
                "color": colour,
                "pattern": {
                    "shape": [
                        HATCH if p and p.quality in ("estimated", "partial") else ""
                        for p in periods
                    ],
                },
            },
            "hovertemplate": "%{x}: %{y} " + self._unit + "<extra>" + name + "</extra>",
        }

    def _missing_band(self, labels: list[str], periods: Sequence[Period], top: float) -> dict:
        """Days or hours without data: a pale full-height band, never a bar of zero."""
        return {
            "type": "bar",
            "name": self._text("consumption.missing_band"),
            "x": labels,
            "y": [top if p.energy_kwh is None else None for p in periods],
            "marker": {"color": MISSING_COLOUR},
            "hoverinfo": "name",
        }

    def _power_traces(self, name_prefix: str, labels: list[str], periods: Sequence[Period | None],
                      mean_colour: str, max_colour: str) -> list[dict[str, Any]]:
        prefix = f"{name_prefix} " if name_prefix else ""
        return [
            {
                "type": "scatter", "mode": "lines+markers", "connectgaps": False,
                "name": prefix + self._text("consumption.mean"), "x": labels,
                "y": [p.power_mean_kw if p else None for p in periods],
                "line": {"color": mean_colour, "dash": "dot"},
            },
            {
                "type": "scatter", "mode": "lines+markers", "connectgaps": False,
                "name": prefix + self._text("consumption.max"), "x": labels,
                "y": [p.power_max_kw if p else None for p in periods],
                "line": {"color": max_colour},
            },
        ]

    def _peak_marker(self, label: str, power: float) -> dict[str, Any]:
        return {
            "type": "scatter", "mode": "markers+text", "name": self._text("consumption.peak"),
            "x": [label], "y": [power], "text": [self._text("consumption.peak")],
            "textposition": "top center",
            "marker": {"color": PEAK_COLOUR, "size": 12, "symbol": "star"},
        }

    # -- table ----------------------------------------------------------------------------------

    def _row(self, key: str, label: str, period: Period | None, *, open_label: str = "") -> dict:
        energy = self._energy(period.energy_kwh) if period else None
        return {
            "key": key,
            "label": label,
            "open": open_label,
            "energy": self._energy_text(period.energy_kwh) if period else "",
            "energy_value": "" if energy is None else repr(energy),
            "mean": format_number(period.power_mean_kw if period else None, 2, self.language),
            "mean_value": "" if not period or period.power_mean_kw is None else repr(period.power_mean_kw),
            "max": format_number(period.power_max_kw if period else None, 2, self.language),
            "max_value": "" if not period or period.power_max_kw is None else repr(period.power_max_kw),
            "quality": self._quality_text(period.quality) if period else self._quality_text("missing"),
            "quality_code": period.quality if period else "missing",
        }

    # -- levels ---------------------------------------------------------------------------------

    def _show_year(self, db: Session, principal: Principal, meter: CustomerMeter) -> None:
        overview = year_overview(db, principal, meter.meter_id)
        names = self._month_names()
        self.level, self.month_key, self.day_key = YEAR, "", ""
        self.heading = self._text("consumption.year_overview")
        self.empty = overview.empty
        traces: list[dict[str, Any]] = []
        years: list[int] = []
        rows: list[dict[str, str]] = []
        lines: list[str] = []
        best: tuple[float, str, int] | None = None
        colours = YEAR_COLOURS[-len(overview.years):] if overview.years else YEAR_COLOURS
        for series, colour in zip(overview.years, colours):
            if self.mode == ENERGY:
                traces.append(self._bars(str(series.year), names, series.months, colour))
                years.append(series.year)
            else:
                traces += self._power_traces(str(series.year), names, series.months, colour, colour)
                years += [series.year, series.year]
            for index, period in enumerate(series.months):
                if period is None:
                    continue
                label = f"{names[index]} {series.year}"
                rows.append(self._row(period.key, label, period,
                                      open_label=self._text("consumption.open", period=label)))
                if period.power_max_kw is not None and (best is None or period.power_max_kw > best[0]):
                    best = (period.power_max_kw, names[index], series.year)
            total = format_number(self._energy(series.total_kwh), 1, self.language) + f" {self._unit}"
            line = self._text("consumption.year_total", year=series.year, total=total)
            if series.change_percent is not None:
                change = format_number(series.change_percent, 1, self.language)
                sign = "+" if series.change_percent > 0 else ""
                line += " · " + self._text("consumption.change", change=sign + change,
                                           previous=series.year - 1,
                                           months=len(series.compared_months))
            lines.append(line)
        if self.mode == POWER and best is not None:
            traces.append(self._peak_marker(best[1], best[0]))
            years.append(best[2])
        layout = self._layout(grouped=True, y_title=self._unit if self.mode == ENERGY else "kW")
        self.figure = {"data": traces, "layout": layout}
        self._trace_years = years
        self._categories = names
        self._category_keys = []
        self.table_rows = rows
        self.table_total = ""
        self.year_lines = lines
        self.peak_line = ""
        self.capacity = {}

    def _show_month(self, db: Session, principal: Principal, meter: CustomerMeter, month: date) -> None:
        view = month_view(db, principal, meter.meter_id, month)
        basis = (
            capacity_tariff_basis(db, principal, meter.meter_id, month)
            if meter.medium == Medium.ELECTRICITY else None
        )
        self.level, self.month_key, self.day_key = MONTH, view.month.isoformat(), ""
        self.heading = f"{self._month_names()[view.month.month - 1]} {view.month.year}"
        labels = [str(int(p.key[-2:])) for p in view.days]
        self._figure_for_periods(labels, view.days, view.peak)
        self._categories = labels
        self._category_keys = [p.key for p in view.days]
        self.table_rows = [
            self._row(p.key, self._day_title(date.fromisoformat(p.key)), p,
                      open_label=self._text("consumption.open",
                                            period=self._day_title(date.fromisoformat(p.key))))
            for p in view.days
        ]
        self.table_total = self._energy_text(view.total_kwh)
        self.empty = view.total_kwh is None
        self.year_lines = []
        self._set_peak(view.peak)
        if basis is None:
            self.capacity = {}
        elif basis.basis_kw is None:
            self.capacity = {"basis": self._text("consumption.capacity_none"), "step": "", "hours": ""}
        else:
            self.capacity = {
                "basis": self._text("consumption.capacity_basis",
                                    basis=format_number(basis.basis_kw, 2, self.language)),
                "step": self._text("consumption.capacity_step", step=basis.step.label if basis.step else ""),
                "hours": " · ".join(
                    f"{self._moment_text(at)} ({format_number(kwh, 2, self.language)} kWh)"
                    for at, kwh in basis.top_hours
                ),
            }

    def _show_day(self, db: Session, principal: Principal, meter: CustomerMeter, day: date) -> None:
        view = day_view(db, principal, meter.meter_id, day)
        self.level, self.day_key = DAY, view.day.isoformat()
        self.month_key = view.day.replace(day=1).isoformat()
        self.heading = self._day_title(view.day)
        labels = [p.label for p in view.hours]
        self._figure_for_periods(labels, view.hours, view.peak)
        self._categories = labels
        self._category_keys = []
        self.table_rows = [self._row(p.key, p.label, p) for p in view.hours]
        self.table_total = self._energy_text(view.total_kwh)
        self.empty = view.total_kwh is None
        self.year_lines = []
        self.capacity = {}
        self._set_peak(view.peak)

    def _figure_for_periods(self, labels: list[str], periods: Sequence[Period], peak: Peak | None) -> None:
        if self.mode == ENERGY:
            values = [self._energy(p.energy_kwh) or 0.0 for p in periods]
            top = max(values, default=0.0) or 1.0
            traces = [self._bars(self._text("consumption.energy"), labels, periods, YEAR_COLOURS[-1])]
            if any(p.energy_kwh is None for p in periods):
                traces.append(self._missing_band(labels, periods, top))
            y_title = self._unit
        else:
            traces = self._power_traces("", labels, periods, MEAN_COLOUR, MAX_COLOUR)
            if peak is not None:
                index = next(
                    (i for i, p in enumerate(periods)
                     if p.power_max_kw == peak.power_kw and p.start <= peak.at < p.start + p.hours * 3600),
                    None,
                )
                if index is not None:
                    traces.append(self._peak_marker(labels[index], peak.power_kw))
            y_title = "kW"
        self.figure = {"data": traces, "layout": self._layout(y_title=y_title)}
        self._trace_years = []

    def _refresh_view(self, db: Session, principal: Principal, meter: CustomerMeter) -> None:
        if self.level == DAY and self.day_key:
            self._show_day(db, principal, meter, date.fromisoformat(self.day_key))
        elif self.level == MONTH and self.month_key:
            self._show_month(db, principal, meter, date.fromisoformat(self.month_key))
        else:
            self._show_year(db, principal, meter)

    # -- events ---------------------------------------------------------------------------------
    # A tap is one transaction: the caller, their meter and the view are read in one Session
    # (the relationship once, see customer_meter), on a worker thread so the event loop keeps
    # serving every other browser on this backend process while the database answers.

    async def _tap(self, handler: str, show: Callable[[Session, Principal, CustomerMeter], None]) -> None:
        def run() -> None:
            with session_scope() as db:
                principal = self._require(Role.CUSTOMER, db=db, handler=handler)
                show(db, principal, customer_meter(db, principal))

        await asyncio.to_thread(run)

    @rx.event
    async def load(self):
        # Refuse before showing the spinner to a caller who may not see it.
        await asyncio.to_thread(self._require, Role.CUSTOMER, handler="load")
        self.loading = True
        yield

        def show(db: Session, principal: Principal, meter: CustomerMeter) -> None:
            self.heat = meter.medium == Medium.HEAT
            self.mode = ENERGY
            self._set_freshness(db, principal, meter)
            self._show_year(db, principal, meter)

        await self._tap("load", show)
        self.loading = False

    @rx.event
    async def show_year(self) -> None:
        await self._tap("show_year", self._show_year)

    @rx.event
    async def show_month(self, key: str) -> None:
        def show(db: Session, principal: Principal, meter: CustomerMeter) -> None:
            self._show_month(db, principal, meter, date.fromisoformat(key))

        await self._tap("show_month", show)

    @rx.event
    async def show_day(self, key: str) -> None:
        def show(db: Session, principal: Principal, meter: CustomerMeter) -> None:
            self._show_day(db, principal, meter, date.fromisoformat(key))

        await self._tap("show_day", show)

    @rx.event
    async def open_row(self, key: str) -> None:
        """The accessible alternative to tapping a bar: the table row's button."""
        def show(db: Session, principal: Principal, meter: CustomerMeter) -> None:
            if self.level == YEAR:
                self._show_month(db, principal, meter, date.fromisoformat(key))
            elif self.level == MONTH:
                self._show_day(db, principal, meter, date.fromisoformat(key))

        await self._tap("open_row", show)

    @rx.event
    async def chart_clicked(self, points: list[dict[str, Any]]) -> None:
        """A bar or point was tapped: plotly sends x, curveNumber and pointIndex only."""
        def show(db: Session, principal: Principal, meter: CustomerMeter) -> None:
            if not points or self.level == DAY:
                return
            point = points[0]
            x = str(point.get("x", ""))
            if self.level == YEAR:
                curve = int(point.get("curveNumber") or 0)
                if x not in self._categories or not 0 <= curve < len(self._trace_years):
                    return
                month = self._categories.index(x) + 1
                self._show_month(db, principal, meter, date(self._trace_years[curve], month, 1))
            else:
                key = None
                index = point.get("pointIndex")
                if x in self._categories:
                    key = self._category_keys[self._categories.index(x)]
                elif index is not None and 0 <= int(index) < len(self._category_keys):
                    key = self._category_keys[int(index)]
                if key:
                    self._show_day(db, principal, meter, date.fromisoformat(key))

        await self._tap("chart_clicked", show)

    @rx.event
    async def set_mode(self, mode: str | list[str]) -> None:
        chosen = mode[0] if isinstance(mode, list) and mode else mode

        def show(db: Session, principal: Principal, meter: CustomerMeter) -> None:
            if chosen not in (ENERGY, POWER):
                return
            self.mode = str(chosen)
            self._refresh_view(db, principal, meter)

        await self._tap("set_mode", show)

    # -- exports --------------------------------------------------------------------------------

    def _export_table(self) -> ExportTable:
        period = self._text({YEAR: "consumption.month", MONTH: "consumption.day",
                             DAY: "consumption.hour"}[self.level])
        columns = [period, f"{self._text('consumption.energy')} ({self._unit})",
                   self._text("consumption.mean_kw"), self._text("consumption.max_kw"),
                   self._text("consumption.status")]
        rows: list[list[str | float | None]] = [
            [row["label"],
             float(row["energy_value"]) if row["energy_value"] else None,
             float(row["mean_value"]) if row["mean_value"] else None,
             float(row["max_value"]) if row["max_value"] else None,
             row["quality"]]
            for row in self.table_rows
        ]
        return ExportTable(self._text("consumption.title"), columns, rows)

    def _export_name(self, extension: str) -> str:
        period = self.day_key or self.month_key[:7] or "years"
        return f"forbruk-{period}.{extension}"

    def _rows_for_export(self) -> ExportTable:
        """The shown period, read again from the database for the caller.

        Never the rows cached in the tab's state: they may be another session's (a sign-out
        in this tab, a stale state) and are only what the browser last saw.
        """
        with session_scope() as db:
            principal = self._require(Role.CUSTOMER, db=db, handler="export")
            self._refresh_view(db, principal, customer_meter(db, principal))
        return self._export_table()

    @rx.event
    def download_csv(self):
        table = self._rows_for_export()
        return rx.download(data=table_csv(table), filename=self._export_name("csv"))

    @rx.event
    def download_xlsx(self):
        table = self._rows_for_export()
        return rx.download(data=table_xlsx(table), filename=self._export_name("xlsx"))

    @rx.event
    def download_grid_csv(self):
        """Hourly values of what is shown, in the grid companies' semicolon layout."""
        principal = self._require(Role.CUSTOMER, handler="download_grid_csv")
        with session_scope() as db:
            meter = customer_meter(db, principal)
            if self.level == DAY:
                start, end = period_bounds(DAY, self.day_key)
            elif self.level == MONTH:
                start, end = period_bounds(MONTH, self.month_key)
            else:
                now = utcnow()
                start, end = int(now.timestamp()) - 366 * 86400, int(now.timestamp())
            hours = hourly_values(db, principal, meter.meter_id, start, end)
        text = grid_company_hourly_csv(meter.metering_point_id, hours)
        return rx.download(data=text, filename=self._export_name("timeverdier.csv"))
