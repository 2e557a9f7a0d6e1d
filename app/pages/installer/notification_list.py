"""The installer's pre-notifications: status, filter and search; the start of the installer portal."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import field_label
from app.components.template import template
from app.states.installer.notification_list import InstallerListState as S


def _filters() -> rx.Component:
    t = S.t
    return rx.form(
        rx.hstack(
            rx.vstack(
                field_label(t["installer.filter_status"], "status-filter"),
                rx.el.select(
                    rx.el.option(t["installer.all_statuses"], value=""),
                    rx.foreach(S.statuses, lambda s: rx.el.option(s["label"], value=s["value"])),
                    id="status-filter",
                    name="status",
                    class_name="rt-reset rt-SelectTrigger rt-r-size-2 rt-variant-surface mp-native-select",
                ),
                spacing="1",
            ),
            rx.vstack(
                field_label(t["installer.search"], "search"),
                rx.input(id="search", name="search", type="search", size="2", width="24rem"),
                spacing="1",
            ),
            rx.button(t["installer.apply_filter"], type="submit", size="2", high_contrast=True),
            align="end",
            spacing="4",
            wrap="wrap",
        ),
        on_submit=S.apply_filters,
        role="search",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row["id"],
                href=routes.INSTALLER_NOTIFICATION + "?id=" + row["id"],
                aria_label=S.t["installer.col.number"] + " " + row["id"],
            ),
        ),
        rx.table.cell(
            rx.badge(row["status_label"], high_contrast=True, variant="soft"), data_status=row["status"]
        ),
        rx.table.cell(row["grid_company"]),
        rx.table.cell(row["address"]),
        rx.table.cell(row["owner"]),
        rx.table.cell(row["meter_number"]),
        rx.table.cell(row["updated_at"]),
        data_id=row["id"],
    )


def notification_table(rows: rx.Var, page, page_count, go_to_page) -> rx.Component:  # type: ignore[no-untyped-def]
    t = S.t
    return rx.vstack(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *(
                        rx.table.column_header_cell(t[key])
                        for key in (
                            "installer.col.number",
                            "installer.col.status",
                            "installer.grid_company",
                            "installer.col.address",
                            "installer.col.owner",
                            "installer.field.meter_number",
                            "installer.col.updated",
                        )
                    )
                )
            ),
            rx.table.body(rx.foreach(rows, _row)),
            width="100%",
            variant="surface",
            id="notification-table",
        ),
        rx.cond(rows.length() == 0, rx.text(t["installer.none"], size="2")),
        rx.hstack(
            rx.button(
                t["installer.previous"],
                size="2",
                variant="soft",
                high_contrast=True,
                disabled=page <= 0,
                on_click=go_to_page(page - 1),
            ),
            rx.text((page + 1).to_string(), " / ", page_count.to_string(), size="2"),
            rx.button(
                t["installer.next_page"],
                size="2",
                variant="soft",
                high_contrast=True,
                disabled=page + 1 >= page_count,
                on_click=go_to_page(page + 1),
            ),
            align="center",
            spacing="3",
        ),
        spacing="3",
        width="100%",
    )


@template(route=routes.INSTALLER_HOME, title="Installatørportalen", on_load=S.load)
def installer_notifications() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.hstack(
            rx.heading(t["installer.title"], size="7", as_="h1"),
            rx.spacer(),
            rx.link(
                rx.button(t["installer.new"], size="3", high_contrast=True, as_="span"),
                href=routes.INSTALLER_NEW,
            ),
            width="100%",
            align="center",
        ),
        _filters(),
        notification_table(S.rows, S.page, S.page_count, S.go_to_page),
        spacing="5",
        width="100%",
    )
