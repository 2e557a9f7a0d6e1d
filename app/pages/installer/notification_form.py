"""One pre-notification: the toolbar, the form, notes and history."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.fields import form_error, scripted_form
from app.components.template import template
from app.models import Role
from app.pages.installer.form_sections import FORM_ID, REQUIRED_CSS, form_sections, submit_script
from app.pages.installer.notification_dialogs import delete_dialog, fetch_dialog, send_dialog
from app.pages.installer.notification_parts import (
    history_section,
    note_dialog,
    notification_heading,
    notification_toolbar,
    reject_reason_notice,
)
from app.states.installer.notification_form import NotificationFormState as S


def _tool(label_key: str, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.button(
        S.t[label_key],
        size="2",
        variant=props.pop("variant", "soft"),
        high_contrast=True,
        type="button",
        **props,
    )


def toolbar() -> rx.Component:
    return notification_toolbar(
        S,
        _tool(
            "installer.save",
            variant="solid",
            disabled=~S.editing,
            on_click=submit_script("save"),
            id="tool-save",
        ),
        rx.link(_tool("installer.close", as_="span"), href=routes.INSTALLER_HOME),
        _tool(
            "installer.send",
            disabled=~S.editable | ~S.editing,
            on_click=submit_script("send"),
            id="tool-send",
        ),
        note_dialog(S, _tool("installer.new_note", id="tool-note")),
        delete_dialog(_tool("installer.delete", color_scheme="red", disabled=~S.deletable, id="tool-delete")),
        fetch_dialog(_tool("installer.fetch", disabled=~S.editing, id="tool-fetch")),
        rx.link(
            _tool("installer.print", as_="span"),
            href=routes.INSTALLER_PRINT + "?id=" + S.notification_id.to_string(),
        ),
        _tool("installer.edit", disabled=~S.editable | S.editing, on_click=S.edit, id="tool-edit"),
        class_name="mp-no-print",
    )


@template(
    routes.INSTALLER_NOTIFICATION,
    title_key="title.installer_notification",
    roles={Role.INSTALLER},
    on_load=S.load,
)
def notification_page() -> rx.Component:
    t = S.t
    return rx.vstack(
        rx.el.style(REQUIRED_CSS),
        notification_heading(S),
        rx.text(S.case_line, size="3", color_scheme="gray", high_contrast=True),
        toolbar(),
        reject_reason_notice(S),
        rx.cond(
            ~S.editable, rx.callout(t["installer.read_only"], icon="lock", high_contrast=True, width="100%")
        ),
        rx.text(t["installer.required_note"], size="2"),
        form_error(S.errors["form"]),
        scripted_form(
            rx.el.input(type="hidden", name="intent", id="intent", default_value="save"),
            rx.el.fieldset(
                form_sections(),
                disabled=~S.editing,
                style={"border": "none", "padding": "0", "margin": "0", "min_width": "0"},
            ),
            id=FORM_ID,
            key=S.form_key,
            on_submit=S.submit_form,
            no_validate=True,
            width="100%",
        ),
        history_section(S),
        send_dialog(),
        spacing="4",
        width="100%",
    )
