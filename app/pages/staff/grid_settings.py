"""The grid-company administrator's settings (issue 24): HAN port service, installer portal (job
types, grid areas, firms and API tokens), administrators and the log of changes. Desktop first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from app import routes
from app.components import scrollable_table as table
from app.components.administrator_switch import administrator_switch
from app.components.dialogs import close_button, dialog, form_dialog
from app.components.fields import checkbox_field, scripted_form, select_field, text_field
from app.components.filters import apply_button, filter_form, search_input
from app.components.page_heading import page_heading
from app.components.paged_table import Column, paged_table
from app.components.row_button import row_button
from app.components.template import template
from app.models import Role
from app.states.staff.grid_settings import (
    ISSUED_TOKEN_ELEMENT,
    ChangeLogState,
    FirmListState,
    GridAreaListState,
    GridSettingsState,
    JobTypeListState,
    StaffListState,
)

S = GridSettingsState


def _list(state: Any, name: str, columns: tuple[Column, ...], table_id: str, **props: Any) -> rx.Component:
    """A settings list: its table scrolls in a region named as the section, a paging bar named too."""
    t = state.t
    return paged_table(
        state,
        columns,
        table_id=table_id,
        scroll_label=t[f"settings.{name}"],
        bar_label=t["settings.paging"] + " " + t[f"settings.{name}"],
        **props,
    )


def _section(
    title_key: str, section_id: str, *children: rx.Component, action: rx.Component | None = None
) -> rx.Component:
    heading = rx.heading(S.t[title_key], size="5", as_="h2", id=f"{section_id}-heading")
    return rx.card(
        rx.vstack(
            rx.hstack(heading, rx.spacer(), action, align="center", width="100%")
            if action is not None
            else heading,
            *children,
            spacing="3",
            width="100%",
        ),
        id=section_id,
        width="100%",
        as_child=False,
        aria_labelledby=f"{section_id}-heading",
        role="region",
    )


def _han_service() -> rx.Component:
    t = S.t
    return _section(
        "settings.han_service",
        "settings-han",
        rx.fragment(
            scripted_form(
                rx.grid(
                    text_field(
                        t["settings.post_fee"],
                        "post_fee",
                        S.errors["post_fee"],
                        default_value=S.han["post_fee"],
                        input_mode="decimal",
                        required=True,
                        hint=t["settings.post_fee_hint"],
                    ),
                    text_field(
                        t["settings.completion_days"],
                        "completion_days",
                        S.errors["completion_days"],
                        default_value=S.han["completion_days"],
                        input_mode="numeric",
                        required=True,
                        hint=t["settings.completion_days_hint"],
                    ),
                    text_field(
                        t["settings.pickup_address"],
                        "pickup_address",
                        S.errors["pickup_address"],
                        default_value=S.han["pickup_address"],
                        required=True,
                    ),
                    text_field(
                        t["settings.pickup_hours"],
                        "pickup_hours",
                        S.errors["pickup_hours"],
                        default_value=S.han["pickup_hours"],
                        required=True,
                        hint=t["settings.pickup_hours_hint"],
                    ),
                    columns="2",
                    spacing="4",
                    width="100%",
                ),
                rx.button(
                    t["settings.save"],
                    type="submit",
                    size="3",
                    high_contrast=True,
                    id="save-han-service",
                    margin_top="var(--space-3)",
                ),
                on_submit=S.save_han_service,
                reset_on_submit=False,
                key=S.han_version.to_string(),
                id="han-service-form",
            ),
        ),
    )


def _edit_button(named_by: str, on_edit: Callable[[rx.Var], rx.event.EventSpec]) -> Callable:
    """A row's Edit button (it opens the row's dialog), named with the row's ``named_by`` field."""

    def button(item: rx.Var) -> rx.Component:
        return row_button(S.t["settings.edit"], item[named_by], on_edit(item), opens_dialog=True)

    return button


def _new_button(label_key: str, on_click: rx.event.EventHandler, button_id: str) -> rx.Component:
    return rx.button(
        S.t[label_key], size="2", high_contrast=True, aria_haspopup="dialog", on_click=on_click, id=button_id
    )


JOB_TYPE_COLUMNS = (
    Column("settings.name_nb", "name", row_header=True),
    Column("settings.installation_type", "type"),
    Column("settings.name_sv", "name_sv"),
    Column("settings.name_en", "name_en"),
    Column("settings.active", "active_label"),
    Column("settings.actions", cell=_edit_button("name", S.edit_job_type)),
)

GRID_AREA_COLUMNS = (
    Column("settings.code", "code", row_header=True),
    Column("settings.area_name", "name"),
    Column("settings.actions", cell=_edit_button("code", S.edit_grid_area)),
)


def _job_types() -> rx.Component:
    return _section(
        "settings.job_types",
        "settings-job-types",
        _list(JobTypeListState, "job_types", JOB_TYPE_COLUMNS, "job-types", empty_key="settings.none"),
        action=_new_button("settings.new_job_type", S.new_job_type, "new-job-type"),
    )


def _grid_areas() -> rx.Component:
    return _section(
        "settings.grid_areas",
        "settings-grid-areas",
        _list(GridAreaListState, "grid_areas", GRID_AREA_COLUMNS, "grid-areas", empty_key="settings.none"),
        action=_new_button("settings.new_grid_area", S.new_grid_area, "new-grid-area"),
    )


def _firm_actions(item: rx.Var) -> rx.Component:
    t = S.t
    authorised = item["authorised"] != ""
    return rx.hstack(
        rx.cond(
            authorised,
            row_button(
                t["settings.withdraw"], item["name"], S.set_authorised(item["id"], False), danger=True
            ),
            row_button(t["settings.authorise"], item["name"], S.set_authorised(item["id"], True)),
        ),
        row_button(
            t["settings.tokens"],
            item["name"],
            S.open_tokens(item["id"], item["name"]),
            opens_dialog=True,
            disabled=~authorised,
        ),
        spacing="2",
    )


FIRM_COLUMNS = (
    Column("settings.firm", "name", row_header=True),
    Column("settings.authorised", "authorised_label"),
    Column("settings.live_tokens", "tokens"),
    Column("settings.actions", cell=_firm_actions),
)


def _firms() -> rx.Component:
    t, L = S.t, FirmListState
    return _section(
        "settings.firms",
        "settings-firms",
        filter_form(
            search_input(t["settings.search_firm"], "firm-search", "search", default_value=L.search),
            apply_button(t["settings.search"]),
            on_submit=L.apply_filters,
        ),
        _list(L, "firms", FIRM_COLUMNS, "firms", empty_key="settings.none"),
    )


def _administrator_or_you(item: rx.Var) -> rx.Component:
    t = S.t
    return rx.cond(
        item["self"] != "",
        rx.text(t["settings.you"], size="2", color_scheme="gray"),
        administrator_switch(
            is_admin=item["admin"] != "",
            subject=item["name"],
            make_label=t["settings.make_admin"],
            take_label=t["settings.make_staff"],
            on_switch=lambda make: S.set_administrator(item["id"], make),
            separator=": ",
        ),
    )


STAFF_COLUMNS = (
    Column("settings.person", "name", row_header=True),
    Column("settings.email", "email"),
    Column("settings.role", "role"),
    Column("settings.actions", cell=_administrator_or_you),
)


def _administrators() -> rx.Component:
    t = S.t
    return _section(
        "settings.administrators",
        "settings-administrators",
        rx.text(t["settings.administrators_help"], size="2"),
        _list(StaffListState, "administrators", STAFF_COLUMNS, "administrators"),
    )


CHANGE_COLUMNS = (
    Column("settings.when", "at", row_header=True),
    *(Column(f"settings.{field}", field) for field in ("who", "area", "subject", "field", "old", "new")),
)


def _change_log() -> rx.Component:
    return _section(
        "settings.change_log",
        "settings-change-log",
        _list(
            ChangeLogState,
            "change_log",
            CHANGE_COLUMNS,
            "change-log",
            empty_key="settings.no_changes",
            row_id=None,
        ),
    )


def _token_row(item: rx.Var) -> rx.Component:
    t = S.t
    return rx.el.tr(
        table.row_header(item["label"]),
        table.cell(item["created"]),
        table.cell(item["state"]),
        table.cell(
            rx.cond(
                item["revoked"] == "",
                row_button(t["settings.revoke"], item["label"], S.revoke_token(item["id"]), danger=True),
                rx.text(item["revoked"], size="2"),
            )
        ),
        class_name="rt-TableRow",
        data_id=item["id"],
    )


def _dialogs() -> rx.Component:
    t = S.t
    return rx.fragment(
        form_dialog(
            S,
            "job-type",
            t["settings.job_type"],
            t["settings.job_type_help"],
            on_submit=S.save_job_type,
            submit_label=t["settings.save"],
            cancel_label=t["settings.cancel"],
            dialog_id="job-type-dialog",
            return_focus_id="new-job-type",
            fields=(
                rx.cond(
                    S.editing["id"] == "",
                    select_field(
                        t["settings.installation_type"],
                        "installation_type",
                        S.installation_types,
                        S.errors["installation_type"],
                        placeholder=t["settings.choose"],
                        required=True,
                    ),
                    rx.text(t["settings.installation_type"] + ": " + S.editing["type"], size="2"),
                ),
                text_field(
                    t["settings.name_nb"],
                    "name",
                    S.errors["name"],
                    default_value=S.editing["name"],
                    required=True,
                ),
                text_field(
                    t["settings.name_sv"],
                    "name_sv",
                    S.errors["name_sv"],
                    default_value=S.editing["name_sv"],
                    required=True,
                ),
                text_field(
                    t["settings.name_en"],
                    "name_en",
                    S.errors["name_en"],
                    default_value=S.editing["name_en"],
                    required=True,
                ),
                checkbox_field(
                    t["settings.active"],
                    "active",
                    S.errors["active"],
                    default_checked=S.editing["active"] != "",
                ),
            ),
        ),
        form_dialog(
            S,
            "grid-area",
            t["settings.grid_area"],
            t["settings.grid_area_help"],
            on_submit=S.save_grid_area,
            submit_label=t["settings.save"],
            cancel_label=t["settings.cancel"],
            dialog_id="grid-area-dialog",
            return_focus_id="new-grid-area",
            fields=(
                text_field(
                    t["settings.code"],
                    "code",
                    S.errors["code"],
                    default_value=S.editing["code"],
                    required=True,
                ),
                text_field(
                    t["settings.area_name"],
                    "name",
                    S.errors["name"],
                    default_value=S.editing["name"],
                    required=True,
                ),
            ),
        ),
        dialog(
            S,
            "tokens",
            t["settings.tokens_title"] + " " + S.token_firm["name"],
            t["settings.tokens_help"],
            table.scrollable_table(
                table.header(
                    t["settings.label"], t["settings.issued"], t["settings.state"], t["settings.actions"]
                ),
                table.body(rx.foreach(S.tokens, _token_row)),
                label=t["settings.tokens"],
                table_id="tokens",
            ),
            scripted_form(
                rx.vstack(
                    text_field(
                        t["settings.label"],
                        "label",
                        S.errors["label"],
                        hint=t["settings.label_hint"],
                        required=True,
                    ),
                    rx.cond(
                        S.errors["form"],
                        rx.text(S.errors["form"], color_scheme="red", size="2", role="alert"),
                    ),
                    rx.button(
                        t["settings.issue_token"],
                        type="submit",
                        size="2",
                        high_contrast=True,
                        id="issue-token",
                    ),
                    spacing="2",
                    margin_top="var(--space-3)",
                ),
                on_submit=S.issue_token,
                reset_on_submit=True,
            ),
            rx.vstack(
                rx.text(t["settings.token_once"], size="2", weight="medium"),
                rx.el.code(
                    id=ISSUED_TOKEN_ELEMENT,
                    aria_live="polite",
                    style={"word_break": "break-all", "font_size": "0.95rem"},
                ),
                spacing="1",
                margin_top="var(--space-3)",
            ),
            rx.hstack(
                close_button(t["settings.close"]), justify="end", width="100%", margin_top="var(--space-4)"
            ),
            dialog_id="tokens-dialog",
            max_width="44rem",
        ),
    )


@template(
    routes.STAFF_SETTINGS,
    title_key="title.grid_settings",
    roles={Role.GRID_ADMIN},
    on_load=[
        S.load,
        *(
            state.load
            for state in (JobTypeListState, GridAreaListState, FirmListState, StaffListState, ChangeLogState)
        ),
    ],
    wide=True,
)
def grid_settings_page() -> rx.Component:
    return rx.vstack(
        page_heading(
            S.t["settings.title"],
            rx.link(S.t["settings.tariffs_link"], href=routes.STAFF_TARIFFS, id="tariffs-link"),
        ),
        rx.text(S.t["settings.intro"], size="2"),
        _han_service(),
        _job_types(),
        _grid_areas(),
        _firms(),
        _administrators(),
        _change_log(),
        _dialogs(),
        spacing="5",
        width="100%",
    )
