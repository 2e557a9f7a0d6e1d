"""The installer's pre-notifications: status, filter and search; the start of the installer portal.

The grid company's queue is the same list in another scope: it uses ``notification_filters``
and ``notification_table`` from here.
"""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.filters import apply_button, filter_form, filter_select, options_of, search_input
from app.components.page_heading import page_heading
from app.components.paged_table import Column, paged_table
from app.components.status_badge import status_badge
from app.components.template import template
from app.models import Role
from app.states.installer.notification_list import InstallerListState as S

# The columns after number and status: (header text key, row field).
COLUMNS = (
    ("installer.grid_company", "grid_company"),
    ("installer.col.address", "address"),
    ("installer.col.owner", "owner"),
    ("installer.field.meter_number", "meter_number"),
    ("installer.col.updated", "updated_at"),
)


def notification_filters(state) -> rx.Component:  # type: ignore[no-untyped-def]
    t = state.t
    return filter_form(
        filter_select(
            t["installer.filter_status"],
            "status-filter",
            "status",
            t["installer.all_statuses"],
            options_of(state.statuses),
            default_value=state.status_filter,
        ),
        search_input(t["installer.search"], "search", "search"),
        apply_button(t["installer.apply_filter"]),
        on_submit=state.apply_filters,
    )


def status_cell(item: rx.Var) -> rx.Component:
    return status_badge(item["status_label"], item["status"])


def notification_table(  # type: ignore[no-untyped-def]
    state,
    *,
    route: str,
    table_id: str,
    columns: tuple[tuple[str, str], ...] = COLUMNS,
    named_links: bool = False,
) -> rx.Component:
    """One page of ``state.rows``: the number (a link to ``route``), the status, then ``columns``.

    ``named_links``: the number link says what it opens ("Number 12"), not only "12".
    """
    t = state.t

    def number(item: rx.Var) -> rx.Component:
        name = {"aria_label": t["installer.col.number"] + " " + item["id"]} if named_links else {}
        return rx.link(item["id"], href=route + "?id=" + item["id"], **name)

    return paged_table(
        state,
        (
            Column("installer.col.number", cell=number, row_header=True),
            Column("installer.col.status", cell=status_cell),
            *(Column(key, field) for key, field in columns),
        ),
        table_id=table_id,
        empty_key="installer.none",
    )


@template(routes.INSTALLER_HOME, title_key="title.installer_home", roles={Role.INSTALLER}, on_load=S.load)
def installer_notifications() -> rx.Component:
    t = S.t
    return rx.vstack(
        page_heading(
            t["installer.title"],
            rx.link(
                rx.button(t["installer.new"], size="3", high_contrast=True, as_="span"),
                href=routes.INSTALLER_NEW,
            ),
        ),
        notification_filters(S),
        notification_table(
            S, route=routes.INSTALLER_NOTIFICATION, table_id="notification-table", named_links=True
        ),
        spacing="5",
        width="100%",
    )
