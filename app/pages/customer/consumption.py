"""Min side, consumption: the chart, its data table and the exports. Layout only."""

from __future__ import annotations

import reflex as rx
from plotly.graph_objs import Figure

from app import routes
from app.components import scrollable_table as kt
from app.components.plotly_after_paint import plotly_after_paint
from app.components.template import template
from app.models import Role
from app.states.customer.consumption import DAY, ENERGY, KR, MONTH, POWER, YEAR
from app.states.customer.consumption import ConsumptionState as S

TAP = "44px"  # the smallest tap target on a phone
CHART_HEIGHT = "300px"
PLOT_CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False}


def _tap_button(*children, **props) -> rx.Component:
    return rx.button(*children, size="3", min_height=TAP, **props)


def _mode_button(mode: str, label_key: str) -> rx.Component:
    return _tap_button(
        S.t[label_key],
        on_click=S.set_mode(mode),
        variant=rx.cond(S.mode == mode, "solid", "soft"),
        aria_pressed=rx.cond(S.mode == mode, "true", "false"),
        flex="1",
    )


def _controls() -> rx.Component:
    return rx.flex(
        rx.flex(
            _mode_button(ENERGY, "consumption.energy"),
            _mode_button(POWER, "consumption.power"),
            _mode_button(KR, "consumption.kr"),
            role="group",
            aria_label=S.t["consumption.mode"],
            gap="2",
            min_width="14rem",
            flex="1",
        ),
        rx.cond(
            S.level != YEAR,
            _tap_button(
                rx.icon("calendar-range", size=18),
                S.t["consumption.year_overview"],
                on_click=S.show_year,
                variant="outline",
            ),
        ),
        rx.cond(
            S.level == DAY,
            _tap_button(
                rx.icon("arrow-left", size=18),
                S.t["consumption.back_to_month"],
                on_click=S.show_month(S.month_key),
                variant="outline",
            ),
        ),
        gap="2",
        wrap="wrap",
        width="100%",
    )


def _chart() -> rx.Component:
    plot = plotly_after_paint(
        # A plain dict of traces and layout: building plotly Figure objects on every tap is slow.
        data=S.figure.to(Figure),
        on_click=S.chart_clicked,
        use_resize_handler=True,
        config=PLOT_CONFIG,
        style={"width": "100%", "height": CHART_HEIGHT},
    )
    return rx.box(
        rx.cond(
            S.loading,
            rx.center(
                rx.hstack(rx.spinner(size="3"), rx.text(S.t["consumption.loading"]), spacing="2"),
                height=CHART_HEIGHT,
                role="status",
                # What app/first_paint.py paints the year's bars over until the state has them.
                id="consumption-loading",
            ),
            rx.cond(
                S.empty & (S.level == YEAR),
                rx.callout(
                    S.t["consumption.empty"],
                    icon="info",
                    role="status",
                    id="consumption-empty",
                ),
                rx.fragment(plot, _plain_bars()),
            ),
        ),
        id="consumption-chart",
        data_level=S.level,
        data_mode=S.mode,
        width="100%",
        min_height=CHART_HEIGHT,
        overflow="hidden",
        position="relative",
        # Once plotly draws (it marks its div .js-plotly-plot), its chart alone is shown. A
        # sibling selector, not :has(), which the browser re-checks on each of plotly's DOM writes.
        style={"& .js-plotly-plot ~ [data-chart-fallback]": {"display": "none"}},
    )


def _plain_bars() -> rx.Component:
    """The year's bars drawn at once from the state, over the place of the plotly chart until it
    has loaded: on a phone plotly takes seconds to download, parse and draw. The table under
    the chart holds the same numbers for screen readers."""
    return rx.cond(
        (S.level == YEAR) & (S.mode == ENERGY),
        rx.box(
            rx.html(S.year_bars),
            custom_attrs={"data-chart-fallback": ""},
            aria_hidden="true",
            position="absolute",
            top="0",
            left="0",
            width="100%",
            height=CHART_HEIGHT,
            color="var(--gray-11)",
        ),
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.foreach(S.year_lines, lambda line: rx.text(line, size="2")),
        rx.cond(S.peak_line != "", rx.text(S.peak_line, size="2", id="consumption-peak")),
        rx.cond(
            S.capacity["basis"],
            rx.card(
                rx.vstack(
                    rx.heading(S.t["consumption.capacity_title"], size="3", as_="h3"),
                    rx.text(S.capacity["basis"], size="2"),
                    rx.text(S.capacity["step"], size="2", weight="bold"),
                    rx.text(S.capacity["hours"], size="1", color_scheme="gray"),
                    spacing="1",
                ),
                id="capacity-basis",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _period_cell(row: rx.Var) -> rx.Component:
    return rx.table.row_header_cell(
        rx.cond(
            row["open"] != "",
            rx.button(
                row["label"],
                on_click=S.open_row(row["key"]),
                aria_label=row["open"],
                variant="ghost",
                size="2",
                min_height=TAP,
                padding_x="var(--space-1)",
            ),
            rx.text(row["label"]),
        ),
        white_space="nowrap",
    )


def _value_cell(text: rx.Var, value: rx.Var, column: str) -> rx.Component:
    return rx.table.cell(text, text_align="right", custom_attrs={"data-value": value, "data-column": column})


def _table_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        _period_cell(row),
        rx.cond(
            S.mode == ENERGY,
            rx.fragment(
                _value_cell(row["energy"], row["energy_value"], "energy"),
                rx.table.cell(row["quality"], custom_attrs={"data-quality": row["quality_code"]}),
            ),
            rx.fragment(
                _value_cell(row["mean"], row["mean_value"], "mean"),
                _value_cell(row["max"], row["max_value"], "max"),
            ),
        ),
        custom_attrs={"data-key": row["key"]},
    )


def _table() -> rx.Component:
    period_header = rx.match(
        S.level,
        (MONTH, S.t["consumption.day"]),
        (DAY, S.t["consumption.hour"]),
        S.t["consumption.month"],
    )
    unit = S.energy_unit
    return rx.table.root(
        rx.el.caption(
            S.t["consumption.table_caption"],
            class_name="rt-sr-only",
            style={
                "position": "absolute",
                "width": "1px",
                "height": "1px",
                "overflow": "hidden",
                "clip": "rect(0 0 0 0)",
            },
        ),
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(period_header),
                rx.cond(
                    S.mode == ENERGY,
                    rx.fragment(
                        rx.table.column_header_cell(unit, text_align="right"),
                        rx.table.column_header_cell(S.t["consumption.status"]),
                    ),
                    rx.fragment(
                        rx.table.column_header_cell(S.t["consumption.mean_kw"], text_align="right"),
                        rx.table.column_header_cell(S.t["consumption.max_kw"], text_align="right"),
                    ),
                ),
            )
        ),
        rx.table.body(rx.foreach(S.table_rows, _table_row)),
        # A <tr> needs a row group around it (a bare one is invalid HTML and breaks hydration).
        rx.el.tfoot(
            rx.cond(
                (S.table_total != "") & (S.mode == ENERGY),
                rx.table.row(
                    rx.table.row_header_cell(S.t["consumption.total"]),
                    rx.table.cell(S.table_total, text_align="right", custom_attrs={"data-column": "total"}),
                    rx.table.cell(""),
                    id="consumption-total",
                ),
            ),
        ),
        id="consumption-table",
        size="1",
        variant="surface",
        width="100%",
    )


def _cost_row(row: rx.Var) -> rx.Component:
    return kt.row(
        kt.row_header(row["label"]),
        kt.cell(row["spot"], text_align="right", custom_attrs={"data-column": "spot"}),
        rx.cond(S.cost_markup, kt.cell(row["markup"], text_align="right")),
        kt.cell(row["grid"], text_align="right", custom_attrs={"data-column": "grid"}),
        kt.cell(row["taxes"], text_align="right", custom_attrs={"data-column": "taxes"}),
        kt.cell(row["total"], text_align="right", custom_attrs={"data-column": "total"}),
    )


def _cost_table() -> rx.Component:
    """The kr view's table: the chart's periods with the same components as its stacked bars.
    Its scrolling box is a focusable region (on a phone its columns scroll sideways: axe
    scrollable-region-focusable), as app/components/scrollable_table.py's."""
    head = kt.HEADER_CELL
    header = rx.el.thead(
        rx.el.tr(
            rx.el.th(S.t["cost.period"], scope="col", class_name=head),
            rx.el.th(S.t["cost.spot"], scope="col", class_name=head, text_align="right"),
            rx.cond(
                S.cost_markup, rx.el.th(S.t["cost.markup"], scope="col", class_name=head, text_align="right")
            ),
            rx.el.th(S.t["cost.grid"], scope="col", class_name=head, text_align="right"),
            rx.el.th(S.t["cost.taxes"], scope="col", class_name=head, text_align="right"),
            rx.el.th(S.t["cost.total"], scope="col", class_name=head, text_align="right"),
            class_name="rt-TableRow",
        ),
        class_name="rt-TableHeader",
    )
    return rx.vstack(
        rx.cond(S.cost_estimate != "", rx.callout(S.cost_estimate, icon="calculator", id="cost-estimate")),
        rx.text(S.t["cost.note"], size="1", color_scheme="gray"),
        kt.scrollable_table(
            header,
            kt.body(rx.foreach(S.cost_rows, _cost_row)),
            rx.el.tfoot(
                kt.row(
                    kt.row_header(S.t["cost.total"]),
                    # Every column after the period's: four, five with the mark-up's.
                    kt.cell(
                        S.cost_total,
                        text_align="right",
                        col_span=rx.cond(S.cost_markup, 5, 4),
                        custom_attrs={"data-column": "total"},
                    ),
                )
            ),
            label=S.t["cost.table_label"],
            table_id="cost-table",
        ),
        spacing="2",
        width="100%",
    )


def _downloads() -> rx.Component:
    return rx.flex(
        _tap_button(
            rx.icon("download", size=18),
            S.t["consumption.download_csv"],
            on_click=S.download_csv,
            variant="soft",
        ),
        _tap_button(
            rx.icon("download", size=18),
            S.t["consumption.download_grid_csv"],
            on_click=S.download_grid_csv,
            variant="soft",
        ),
        _tap_button(
            rx.icon("file-spreadsheet", size=18),
            S.t["consumption.download_xlsx"],
            on_click=S.download_xlsx,
            variant="soft",
        ),
        gap="2",
        wrap="wrap",
    )


@template(
    routes.CUSTOMER_CONSUMPTION,
    title_key="title.customer_consumption",
    roles={Role.CUSTOMER},
    on_load=S.load,
)
def consumption_page() -> rx.Component:
    return rx.vstack(
        rx.heading(S.t["consumption.title"], size="7", as_="h1"),
        rx.text(S.freshness, size="2", color_scheme="gray", id="consumption-freshness"),
        _controls(),
        rx.heading(S.heading, size="5", as_="h2", id="consumption-heading"),
        rx.cond(
            ~S.loading & (S.level != DAY) & ~S.empty,
            rx.text(S.t["consumption.chart_hint"], size="1", color_scheme="gray"),
        ),
        _chart(),
        _summary(),
        rx.cond(~S.loading, rx.cond(S.mode == KR, _cost_table(), _table())),
        rx.cond(~S.loading & ~S.empty, _downloads()),
        spacing="4",
        width="100%",
        min_width="0",
    )
