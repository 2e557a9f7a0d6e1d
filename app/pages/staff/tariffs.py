"""The grid-company administrator's tariffs (issue 24): its periods, newest first, and a new one
from a date (capacity steps with their monthly price, energy part by season and time band, fixed
part). Desktop first."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import checkbox_field, scripted_form, text_area_field, text_field
from app.components.page_heading import page_heading
from app.components.paged_table import Column, paged_table
from app.components.row_button import row_button
from app.components.template import template
from app.models import Role
from app.states.staff.tariffs import TariffState as T


def _withdraw(item: rx.Var) -> rx.Component:
    return rx.cond(
        item["future"] != "",
        row_button(T.t["tariffs.withdraw"], item["from"], T.withdraw(item["id"]), danger=True),
    )


COLUMNS = (
    Column("tariffs.col.from", "from", row_header=True),
    Column("tariffs.col.to", "to"),
    Column("tariffs.col.fixed", "fixed"),
    Column("tariffs.col.energy", "energy"),
    Column("tariffs.col.steps", "steps", style={"max_width": "28rem"}),
    Column("tariffs.col.actions", cell=_withdraw),
)


def _form() -> rx.Component:
    t = T.t
    return rx.card(
        scripted_form(
            rx.vstack(
                rx.heading(t["tariffs.new"], size="5", as_="h2"),
                rx.text(t["tariffs.new_help"], size="2"),
                rx.grid(
                    text_field(
                        t["tariffs.valid_from"],
                        "valid_from",
                        T.errors["valid_from"],
                        type="date",
                        required=True,
                        hint=t["tariffs.valid_from_hint"],
                    ),
                    text_field(
                        t["tariffs.fixed"],
                        "fixed_monthly_kr",
                        T.errors["fixed_monthly_kr"],
                        input_mode="decimal",
                        required=True,
                    ),
                    columns="2",
                    spacing="4",
                    width="100%",
                ),
                text_area_field(
                    t["tariffs.steps"],
                    "capacity_steps",
                    T.errors["capacity_steps"],
                    rows="6",
                    required=True,
                    hint=t["tariffs.steps_hint"],
                ),
                rx.grid(
                    *(
                        text_field(
                            t[f"tariffs.{name}"], name, T.errors[name], input_mode="decimal", required=True
                        )
                        for name in (
                            "energy_winter_day",
                            "energy_winter_night",
                            "energy_summer_day",
                            "energy_summer_night",
                        )
                    ),
                    columns="2",
                    spacing="4",
                    width="100%",
                ),
                rx.grid(
                    text_field(
                        t["tariffs.day_from_hour"],
                        "day_from_hour",
                        T.errors["day_from_hour"],
                        default_value="6",
                        input_mode="numeric",
                    ),
                    text_field(
                        t["tariffs.day_to_hour"],
                        "day_to_hour",
                        T.errors["day_to_hour"],
                        default_value="22",
                        input_mode="numeric",
                    ),
                    text_field(
                        t["tariffs.winter_months"],
                        "winter_months",
                        T.errors["winter_months"],
                        default_value="1,2,3",
                        hint=t["tariffs.winter_months_hint"],
                    ),
                    columns="3",
                    spacing="4",
                    width="100%",
                ),
                checkbox_field(
                    t["tariffs.weekend_is_night"],
                    "weekend_is_night",
                    T.errors["weekend_is_night"],
                    default_checked=True,
                ),
                rx.button(t["tariffs.save"], type="submit", size="3", high_contrast=True, id="save-tariff"),
                spacing="4",
                width="100%",
            ),
            on_submit=T.add_period,
            reset_on_submit=False,
            key=T.form_version.to_string(),
            id="tariff-form",
        ),
        width="100%",
    )


@template(routes.STAFF_TARIFFS, title_key="title.tariffs", roles={Role.GRID_ADMIN}, on_load=T.load, wide=True)
def tariffs_page() -> rx.Component:
    t = T.t
    return rx.vstack(
        page_heading(t["tariffs.title"], rx.link(t["tariffs.back"], href=routes.STAFF_SETTINGS)),
        rx.text(t["tariffs.intro"], size="2"),
        rx.heading(t["tariffs.periods"], size="5", as_="h2"),
        paged_table(
            T,
            COLUMNS,
            table_id="tariff-periods",
            empty_key="tariffs.none",
            scroll_label=t["tariffs.periods"],
            bar_label=t["keys.list.paging"],
        ),
        _form(),
        spacing="5",
        width="100%",
    )
