"""Import keys: choose a .kem/.kem2 (with its export password) or a CSV, preview, then confirm or cancel."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components import scrollable_table as table
from app.components.fields import checkbox_field, field_error, form_error, scripted_form, text_field
from app.components.template import template
from app.models import Role
from app.states.keys.imports import CSV_SUFFIXES, KEM_SUFFIXES, UPLOAD_ID
from app.states.keys.imports import KeyImportState as S

CAPTION_STYLE = {"text_align": "left", "font_weight": "600", "padding": "var(--space-2) 0"}
ACCEPT = {
    "application/octet-stream": list(KEM_SUFFIXES),
    "application/zip": list(KEM_SUFFIXES),
    "text/csv": list(CSV_SUFFIXES),
    "text/plain": [".txt"],
}


def _file_chooser() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.hstack(
            # The dropzone's own file input sits inside this label, which names it "Key file"; the
            # button is the one tab stop (no_keyboard) and its click opens the file chooser.
            rx.el.label(
                rx.text(
                    t["keys.page.import.file"],
                    as_="span",
                    size="2",
                    weight="medium",
                    display="block",
                    margin_bottom="var(--space-1)",
                ),
                rx.upload.root(
                    rx.button(
                        rx.icon("file-up", size=16),
                        t["keys.page.import.choose"],
                        type="button",
                        size="2",
                        variant="soft",
                        high_contrast=True,
                        aria_describedby="key-file-hint key-file-chosen key-file-error",
                    ),
                    id=UPLOAD_ID,
                    accept=ACCEPT,
                    multiple=False,
                    max_files=1,
                    no_keyboard=True,
                ),
            ),
            rx.text(
                rx.cond(
                    rx.selected_files(UPLOAD_ID).length() > 0,
                    rx.selected_files(UPLOAD_ID)[0],
                    t["keys.page.import.no_file"],
                ),
                id="key-file-chosen",
                size="2",
                align_self="end",
                padding_bottom="var(--space-2)",
            ),
            align="center",
            spacing="3",
        ),
        rx.text(t["keys.page.import.file_hint"], id="key-file-hint", size="1", color_scheme="gray"),
        field_error(S.errors["file"], "key-file-error"),
        spacing="1",
        width="100%",
    )


def _stage_with_password(form: rx.Var) -> rx.EventSpec:
    return S.stage_upload(rx.upload_files(upload_id=UPLOAD_ID), form.to(dict)["password"])


def _upload_form() -> rx.Component:
    t = S.t
    return rx.card(
        scripted_form(
            rx.vstack(
                rx.heading(t["keys.page.import.choose_heading"], size="4", as_="h2"),
                _file_chooser(),
                rx.box(
                    text_field(
                        t["keys.page.import.password"],
                        "kem-password",
                        S.errors["password"],
                        type="password",
                        autocomplete="off",
                        name="password",
                        hint=t["keys.page.import.password_hint"],
                    ),
                    max_width="24rem",
                    width="100%",
                ),
                rx.button(t["keys.page.import.preview"], type="submit", size="3", high_contrast=True),
                spacing="4",
                width="100%",
            ),
            # The password travels with the upload and is read by the handler only.
            on_submit=_stage_with_password,
            reset_on_submit=True,
        ),
        width="100%",
    )


def _preview_row(row: rx.Var, with_problem: bool) -> rx.Component:
    cells = [
        table.cell(row["line"]),
        table.row_header(row["serial"]),
        table.cell(row["kind"]),
        table.cell(row["model"]),
        table.cell(row["medium"]),
    ]
    if with_problem:
        cells.append(table.cell(rx.text(row["problem"], color_scheme="red", weight="medium")))
    else:
        cells.append(
            table.cell(
                rx.cond(row["note"] != "", rx.badge(row["note"], color_scheme="amber", high_contrast=True))
            )
        )
    return table.row(*cells)


def _preview_table(rows: rx.Var, with_problem: bool, table_id: str, caption: rx.Var) -> rx.Component:
    t = S.t
    keys = [
        "keys.page.import.line",
        "keys.list.serial",
        "keys.list.kind",
        "keys.list.model",
        "keys.list.medium",
    ]
    keys.append("keys.page.import.problem" if with_problem else "keys.page.import.note")
    return table.scrollable_table(
        rx.el.caption(caption, style=CAPTION_STYLE),
        table.header(*(t[key] for key in keys)),
        table.body(rx.foreach(rows, lambda row: _preview_row(row, with_problem))),
        label=caption,
        table_id=table_id,
    )


def _preview() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.heading(t["keys.page.import.preview_heading"], size="4", as_="h2"),
        rx.text(S.summary_text, size="3", id="import-summary"),
        rx.cond(
            S.replacing > 0,
            rx.callout(
                S.replacing_text,
                icon="triangle-alert",
                color_scheme="amber",
                high_contrast=True,
                id="import-replacing",
                width="100%",
            ),
        ),
        rx.cond(S.bad > 0, _preview_table(S.bad_rows, True, "bad-rows", t["keys.page.import.bad_rows"])),
        rx.cond(S.good > 0, _preview_table(S.good_rows, False, "good-rows", t["keys.page.import.good_rows"])),
        rx.cond(
            S.importing,
            rx.vstack(
                rx.progress(
                    value=S.progress_percent,
                    max=100,
                    width="100%",
                    aria_label=t["keys.page.import.progress_label"],
                ),
                rx.text(S.progress_text, role="status", size="2"),
                width="100%",
            ),
        ),
        scripted_form(
            rx.vstack(
                rx.cond(
                    S.replacing > 0,
                    checkbox_field(
                        t["keys.page.import.replace_existing"], "replace_existing", S.errors["replace"]
                    ),
                ),
                rx.hstack(
                    rx.button(
                        t["keys.dialog.cancel"],
                        type="button",
                        size="3",
                        variant="soft",
                        color_scheme="gray",
                        high_contrast=True,
                        on_click=S.cancel,
                        disabled=S.importing,
                    ),
                    rx.button(
                        t["keys.page.import.confirm"],
                        type="submit",
                        size="3",
                        high_contrast=True,
                        disabled=S.importing | (S.good == 0),
                    ),
                    spacing="3",
                ),
                spacing="3",
            ),
            on_submit=S.confirm,
        ),
        spacing="4",
        width="100%",
    )


@template(
    routes.KEYS_IMPORT, title_key="title.keys_import", roles={Role.DISTRIBUTOR}, on_load=S.load, wide=True
)
def key_import() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.heading(t["keys.page.import.title"], size="7", as_="h1"),
        rx.text(t["keys.page.import.intro"], size="3", max_width="60rem"),
        form_error(S.errors["form"]),
        # High contrast: green 11 on the callout's green background fails axe's colour contrast.
        rx.cond(
            S.imported >= 0,
            rx.callout(
                S.imported_text,
                icon="circle-check",
                color_scheme="green",
                high_contrast=True,
                role="status",
                width="100%",
            ),
        ),
        rx.cond(
            S.skipped_serials.length() > 0,
            rx.callout(
                S.skipped_text,
                icon="info",
                color_scheme="amber",
                high_contrast=True,
                id="import-skipped",
                width="100%",
            ),
        ),
        rx.cond(S.batch_id > 0, _preview(), _upload_form()),
        rx.link(t["keys.page.back_to_list"], href=routes.KEYS_HOME),
        spacing="4",
        width="100%",
    )
