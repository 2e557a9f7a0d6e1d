"""Min side, consumption: year -> month -> day drill-down, energy or power, exports.

Every handler starts by resolving the caller on the server and finds the meter through the
caller's customer relationship: the browser never names a meter. What is shown is kept typed
in the backend-only ``_rows`` (exports are built from it, never from display strings); the
figures come from ``consumption_figures``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import reflex as rx
from sqlmodel import Session

from app.clock import local_now, utcnow
from app.db import session_scope
from app.i18n import translate
from app.i18n.numbers import chart_separators
from app.models import Medium, Role
from app.services.caller import Caller
from app.services.consumption.local_time import local_zone
from app.services.customer.consumption.access import CustomerMeter, customer_meter
from app.services.customer.consumption.capacity_tariff import capacity_basis_of
from app.services.customer.consumption.charts import (
    Peak,
    data_until,
    day_view,
    month_view,
    year_overview,
)
from app.services.customer.consumption.cost import CostView, day_cost, month_cost, year_cost
from app.services.customer.consumption.exports import (
    COST_COLUMNS,
    ExportTable,
    grid_company_hourly_csv,
    hourly_values,
    period_bounds,
    table_csv,
    table_xlsx,
    with_cost_columns,
)
from app.services.customer.sharing import record_shared_view
from app.states.customer.consumption_figures import (
    ENERGY,
    KR,
    POWER,
    ChartText,
    cost_figure,
    periods_figure,
    year_bars_markup,
    year_figure,
)
from app.states.customer.consumption_text import EnergyFormat, ShownRow, Wording, format_number
from app.states.session import SessionState

YEAR, MONTH, DAY = "year", "month", "day"


# A phone's tap arrives as two chart clicks a few milliseconds apart.
TAP_ECHO_SECONDS = 0.6


class ConsumptionState(SessionState):
    # When a chart click last drilled down (time.monotonic()), to ignore a touch's echo.
    _chart_drilled_at: float = 0.0
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
    # The year's bars as plain markup, shown until plotly has loaded and drawn (year level only).
    year_bars: str = ""
    table_rows: list[dict[str, str]] = []
    table_total: str = ""
    year_lines: list[str] = []
    peak_line: str = ""
    capacity: dict[str, str] = {}
    # The kr view (issue 26): each period's cost by component, the total, the month's estimate.
    cost_rows: list[dict[str, str]] = []
    cost_total: str = ""
    cost_estimate: str = ""
    cost_markup: bool = False
    # What is shown, typed: the source of the table's texts and of every export.
    _rows: list[ShownRow] = []
    # What a click on the chart opens: the year of each trace, the key of each category.
    _trace_years: list[int] = []
    _cost_view: CostView | None = None  # the kr view's periods, for its exports
    _categories: list[str] = []
    _category_keys: list[str] = []

    # -- helpers --------------------------------------------------------------------------------

    @property
    def _words(self) -> Wording:
        return Wording(self.language)

    def _energy_format(self) -> EnergyFormat:
        """Read once per view: every state var read costs a descriptor lookup."""
        unit, level = self.energy_unit, self.level
        # Months of heat in MWh, days in kWh with one decimal, hours with two.
        return EnergyFormat(unit, 2 if unit == "MWh" or level == DAY else 1, self.language)

    def _text(self, key: str, **params: object) -> str:
        return self._words.text(key, **params)

    @rx.var
    def energy_unit(self) -> str:
        """MWh only for heat months: a heat meter's day or hour in MWh rounds to 0,02 or 0,00."""
        return "MWh" if self.heat and self.level == YEAR else "kWh"

    @property
    def _unit(self) -> str:
        return self.energy_unit

    def _energy(self, kwh: float | None) -> float | None:
        return self._energy_format().value(kwh)

    def _energy_text(self, kwh: float | None) -> str:
        return self._energy_format().text(kwh)

    def _chart_text(self, unit: str) -> ChartText:
        words = self._words
        return ChartText(
            energy=words.text("consumption.energy"),
            mean=words.text("consumption.mean"),
            max=words.text("consumption.max"),
            peak=words.text("consumption.peak"),
            missing_band=words.text("consumption.missing_band"),
            unit=unit,
            separators=chart_separators(self.language),
        )

    def _set_freshness(self, db: Session, caller: Caller, meter: CustomerMeter) -> None:
        until = data_until(db, caller, meter.meter_id)
        self.freshness = (
            self._text("consumption.data_until", when=self._words.moment(int(until.timestamp())))
            if until
            else self._text("consumption.no_data_yet")
        )

    def _set_peak(self, peak: Peak | None) -> None:
        self.peak_line = (
            self._text(
                "consumption.peak_line",
                power=format_number(peak.power_kw, 2, self.language),
                when=self._words.moment(peak.at),
            )
            if peak
            else ""
        )

    # -- table ----------------------------------------------------------------------------------

    def _show_rows(self, rows: list[ShownRow], energy: EnergyFormat) -> None:
        self._rows = rows
        self.table_rows = self._words.table_rows(rows, energy)

    # -- levels ---------------------------------------------------------------------------------

    def _show_year(self, db: Session, caller: Caller, meter: CustomerMeter) -> None:
        overview = year_overview(db, caller, meter.meter_id)
        names = self._words.month_names()
        self.level, self.month_key, self.day_key = YEAR, "", ""
        energy, words = self._energy_format(), self._words
        self.heading = words.text("consumption.year_overview")
        self.empty = overview.empty
        rows: list[ShownRow] = []
        lines: list[str] = []
        for series in overview.years:
            for index, period in enumerate(series.months):
                if period is not None:
                    rows.append(ShownRow.of(period.key, f"{names[index]} {series.year}", period, True))
            total = words.number(energy.value(series.total_kwh), 1) + f" {energy.unit}"
            line = words.text("consumption.year_total", year=series.year, total=total)
            if series.change_percent is not None:
                change = words.number(series.change_percent, 1)
                sign = "+" if series.change_percent > 0 else ""
                line += " · " + words.text(
                    "consumption.change",
                    change=sign + change,
                    previous=series.year - 1,
                    months=len(series.compared_months),
                )
            lines.append(line)
        self.figure, self._trace_years = year_figure(
            overview, names, self.mode, self._chart_text(energy.unit), energy.value
        )
        self.year_bars = year_bars_markup(overview, names, energy.value)
        self._categories = names
        self._category_keys = []
        self._show_rows(rows, energy)
        self.table_total = ""
        self.year_lines = lines
        self.peak_line = ""
        self.capacity = {}
        self._show_cost(db, caller, meter)

    def _show_month(self, db: Session, caller: Caller, meter: CustomerMeter, month: date) -> None:
        view = month_view(db, caller, meter.meter_id, month)
        basis = capacity_basis_of(db, view) if meter.is_electricity else None
        self.level, self.month_key, self.day_key = MONTH, view.month.isoformat(), ""
        energy, words = self._energy_format(), self._words
        self.heading = f"{words.month_names()[view.month.month - 1]} {view.month.year}"
        labels = [str(int(p.key[-2:])) for p in view.days]
        self.figure = periods_figure(
            labels, view.days, view.peak, self.mode, self._chart_text(energy.unit), energy.value
        )
        self._trace_years = []
        self._categories = labels
        self._category_keys = [p.key for p in view.days]
        self._show_rows(
            [ShownRow.of(p.key, words.day_title(date.fromisoformat(p.key)), p, True) for p in view.days],
            energy,
        )
        self.table_total = energy.text(view.total_kwh)
        self.empty = view.total_kwh is None
        self.year_lines = []
        self._set_peak(view.peak)
        self.capacity = words.capacity(basis)
        self._show_cost(db, caller, meter)

    def _show_day(self, db: Session, caller: Caller, meter: CustomerMeter, day: date) -> None:
        view = day_view(db, caller, meter.meter_id, day)
        self.level, self.day_key = DAY, view.day.isoformat()
        self.month_key = view.day.replace(day=1).isoformat()
        energy = self._energy_format()
        self.heading = self._words.day_title(view.day)
        labels = [p.label for p in view.hours]
        self.figure = periods_figure(
            labels, view.hours, view.peak, self.mode, self._chart_text(energy.unit), energy.value
        )
        self._trace_years = []
        self._categories = labels
        self._category_keys = []
        self._show_rows([ShownRow.of(p.key, p.label, p) for p in view.hours], energy)
        self.table_total = energy.text(view.total_kwh)
        self.empty = view.total_kwh is None
        self.year_lines = []
        self.capacity = {}
        self._show_cost(db, caller, meter)
        self._set_peak(view.peak)

    def _refresh_view(self, db: Session, caller: Caller, meter: CustomerMeter) -> None:
        if self.level == DAY and self.day_key:
            self._show_day(db, caller, meter, date.fromisoformat(self.day_key))
        elif self.level == MONTH and self.month_key:
            self._show_month(db, caller, meter, date.fromisoformat(self.month_key))
        else:
            self._show_year(db, caller, meter)

    def _show_cost(self, db: Session, caller: Caller, meter: CustomerMeter) -> None:
        """In the kr view: the level's cost by component replaces the figure, and its table."""
        self.cost_rows, self.cost_total, self.cost_estimate = [], "", ""
        self._cost_view = None
        if self.mode != KR:
            return
        if self.level == DAY and self.day_key:
            view = day_cost(db, caller, meter.meter_id, date.fromisoformat(self.day_key))
        elif self.level == MONTH and self.month_key:
            view = month_cost(db, caller, meter.meter_id, date.fromisoformat(self.month_key))
        else:
            year = self._trace_years[-1] if self._trace_years else local_now(local_zone()).year
            view = year_cost(db, caller, meter.meter_id, year)
            self._trace_years = [year] * 4
        language = self.language
        names = {c: translate(f"cost.{c}", language) for c in ("spot", "markup", "grid", "taxes")}
        labels = self._categories if len(self._categories) == len(view.rows) else [r.key for r in view.rows]
        self.figure = cost_figure(labels, view.rows, names, chart_separators(language))
        self.cost_markup = view.markup_known
        self._cost_view = view

        def kr(amount: Decimal | None) -> str:
            return "" if amount is None else f"{format_number(float(amount), 2, language)} kr"

        self.cost_rows = [
            {
                "label": label,
                "spot": kr(r.spot),
                "markup": kr(r.markup),
                "grid": kr(r.grid),
                "taxes": kr(r.taxes),
                "total": kr(r.total) or translate("cost.no_cost", language),
            }
            for label, r in zip(labels, view.rows, strict=True)
        ]
        self.cost_total = kr(view.total.total)
        if view.estimate is not None and view.estimate.estimate is not None:
            so_far = kr(view.estimate.so_far.shown()["total"])
            self.cost_estimate = translate(
                "cost.estimate", language, so_far=so_far, estimate=kr(view.estimate.estimate)
            )

    # -- events ---------------------------------------------------------------------------------
    # A tap is one transaction: the caller, their meter and the view are read in one Session
    # (the relationship once, see customer_meter), on a worker thread so the event loop keeps
    # serving every other browser on this backend process while the database answers.

    async def _tap(self, handler: str, show: Callable[[Session, Caller, CustomerMeter], None]) -> None:
        def run() -> None:
            with session_scope() as db:
                caller = self._require(Role.CUSTOMER, db=db, handler=handler)
                show(db, caller, customer_meter(db, caller))

        await asyncio.to_thread(run)

    @rx.event
    async def load(self):
        # Refuse before showing the spinner to a caller who may not see it.
        await asyncio.to_thread(self._require, Role.CUSTOMER, handler="load")
        self.loading = True
        yield

        def show(db: Session, caller: Caller, meter: CustomerMeter) -> None:
            self.heat = meter.medium == Medium.HEAT
            self.mode = ENERGY
            self._set_freshness(db, caller, meter)
            self._show_year(db, caller, meter)
            record_shared_view(db, caller)  # a relationship shared with them: seen today

        await self._tap("load", show)
        self.loading = False

    @rx.event
    async def show_year(self) -> None:
        await self._tap("show_year", self._show_year)

    @rx.event
    async def show_month(self, key: str) -> None:
        def show(db: Session, caller: Caller, meter: CustomerMeter) -> None:
            self._show_month(db, caller, meter, date.fromisoformat(key))

        await self._tap("show_month", show)

    @rx.event
    async def show_day(self, key: str) -> None:
        def show(db: Session, caller: Caller, meter: CustomerMeter) -> None:
            self._show_day(db, caller, meter, date.fromisoformat(key))

        await self._tap("show_day", show)

    @rx.event
    async def open_row(self, key: str) -> None:
        """The accessible alternative to tapping a bar: the table row's button."""

        def show(db: Session, caller: Caller, meter: CustomerMeter) -> None:
            if self.level == YEAR:
                self._show_month(db, caller, meter, date.fromisoformat(key))
            elif self.level == MONTH:
                self._show_day(db, caller, meter, date.fromisoformat(key))

        await self._tap("open_row", show)

    @rx.event
    async def chart_clicked(self, points: list[dict[str, Any]]) -> None:
        """A bar or point was tapped: plotly sends x, curveNumber and pointIndex only.

        A finger's tap on a phone reaches plotly as two clicks; the second would land on the
        chart the first one opened (a year's bar went straight to a day). A click this soon
        after the chart drilled down is that echo, and is ignored.
        """

        def show(db: Session, caller: Caller, meter: CustomerMeter) -> None:
            if not points or self.level == DAY:
                return
            if time.monotonic() - self._chart_drilled_at < TAP_ECHO_SECONDS:
                return
            self._chart_drilled_at = time.monotonic()
            point = points[0]
            x = str(point.get("x", ""))
            if self.level == YEAR:
                curve = int(point.get("curveNumber") or 0)
                if x not in self._categories or not 0 <= curve < len(self._trace_years):
                    return
                month = self._categories.index(x) + 1
                self._show_month(db, caller, meter, date(self._trace_years[curve], month, 1))
            else:
                key = None
                index = point.get("pointIndex")
                if x in self._categories:
                    key = self._category_keys[self._categories.index(x)]
                elif index is not None and 0 <= int(index) < len(self._category_keys):
                    key = self._category_keys[int(index)]
                if key:
                    self._show_day(db, caller, meter, date.fromisoformat(key))

        await self._tap("chart_clicked", show)

    @rx.event
    async def set_mode(self, mode: str | list[str]) -> None:
        chosen = mode[0] if isinstance(mode, list) and mode else mode

        def show(db: Session, caller: Caller, meter: CustomerMeter) -> None:
            if chosen not in (ENERGY, POWER, KR):
                return
            self.mode = str(chosen)
            self._refresh_view(db, caller, meter)

        await self._tap("set_mode", show)

    # -- exports --------------------------------------------------------------------------------

    def _export_table(self) -> ExportTable:
        period = self._text(
            {YEAR: "consumption.month", MONTH: "consumption.day", DAY: "consumption.hour"}[self.level]
        )
        columns = [
            period,
            f"{self._text('consumption.energy')} ({self._unit})",
            self._text("consumption.mean_kw"),
            self._text("consumption.max_kw"),
            self._text("consumption.status"),
        ]
        rows: list[list[str | float | None]] = []
        energy = self._energy_format()
        words = self._words
        for row in self._rows:
            rows.append(
                [
                    row.label,
                    energy.value(row.energy_kwh),
                    row.power_mean_kw,
                    row.power_max_kw,
                    words.quality(row.quality),
                ]
            )
        table = ExportTable(self._text("consumption.title"), columns, rows)
        if self.mode == KR and self._cost_view is not None:
            # The kr view's exports have its table's columns too.
            headers = {c: f"{self._text(f'cost.{c}')} (kr)" for c in COST_COLUMNS}
            table = with_cost_columns(table, [row.key for row in self._rows], self._cost_view, headers)
        return table

    def _export_name(self, extension: str) -> str:
        period = self.day_key or self.month_key[:7] or "years"
        return f"forbruk-{period}.{extension}"

    def _rows_for_export(self) -> ExportTable:
        """The shown period, read again from the database for the caller.

        Never the rows cached in the tab's state: they may be another session's (a sign-out
        in this tab, a stale state) and are only what the browser last saw.
        """
        with session_scope() as db:
            caller = self._require(Role.CUSTOMER, db=db, handler="export")
            self._refresh_view(db, caller, customer_meter(db, caller))
        return self._export_table()

    # Exports read the database (a year of hours for the grid companies' layout) and build a
    # file: on a worker thread, like the taps, so the other browsers of this backend wait for none.

    @rx.event
    async def download_csv(self):
        text = await asyncio.to_thread(lambda: table_csv(self._rows_for_export()))
        return rx.download(data=text, filename=self._export_name("csv"))

    @rx.event
    async def download_xlsx(self):
        data = await asyncio.to_thread(lambda: table_xlsx(self._rows_for_export()))
        return rx.download(data=data, filename=self._export_name("xlsx"))

    def _grid_csv(self) -> str:
        with session_scope() as db:
            caller = self._require(Role.CUSTOMER, db=db, handler="download_grid_csv")
            meter = customer_meter(db, caller)
            if self.level == DAY:
                start, end = period_bounds(DAY, self.day_key)
            elif self.level == MONTH:
                start, end = period_bounds(MONTH, self.month_key)
            else:
                now = utcnow()
                start, end = int(now.timestamp()) - 366 * 86400, int(now.timestamp())
            hours = hourly_values(db, caller, meter.meter_id, start, end)
        return grid_company_hourly_csv(meter.metering_point_id, hours)

    @rx.event
    async def download_grid_csv(self):
        """Hourly values of what is shown, in the grid companies' semicolon layout."""
        text = await asyncio.to_thread(self._grid_csv)
        return rx.download(data=text, filename=self._export_name("timeverdier.csv"))
