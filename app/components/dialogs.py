"""The app's one dialog: opened by the page's state, focus trapped inside, Escape closes, focus returns.

``dialog(state, name, …)`` is open while ``state.open_dialog == name`` (``app.states.dialog``);
a button opens it with ``state.show_dialog(name)``. Radix moves focus to the first field (or
Cancel) and keeps Tab inside; Escape, Cancel and a click outside close it through the state.
On closing, focus goes back to the element that had it when the dialog opened (the button, or
the menu's button when a menu item opened it); when that element is gone or disabled (Approve
after approving), to ``return_focus_id`` or else the page's heading, never to ``<body>``.

``form_dialog`` is the common body: optional fields (an uncontrolled form, submitted whole),
the form's error, then Cancel and the action.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.function import FunctionStringVar

from app.components.fields import form_error, scripted_form

# Radix fires these on the dialog's content element (``event.target``, which carries the id).
# Opening: remember what had focus (also a button inside a dialog that stays open under this one);
# a dialog opened as another closes (the password asked before an export) inherits that one's
# opener, since focus is on <body> or inside the closing dialog.
_REMEMBER_OPENER = FunctionStringVar.create(
    """(event) => {
  const openers = (window.mpDialogOpeners = window.mpDialogOpeners || {});
  const active = document.activeElement;
  const host = active && active.closest('[role=dialog],[role=alertdialog]');
  const fromPage = active && active !== document.body && (!host || host.dataset.state === 'open');
  const opener = fromPage ? active : window.mpLastDialogOpener;
  openers[event.target.id] = opener || null;
  if (opener) { window.mpLastDialogOpener = opener; }
}"""
)
# Closing: Radix would focus its trigger, and these dialogs have none (focus fell to <body>).
_RETURN_FOCUS = FunctionStringVar.create(
    """(event) => {
  event.preventDefault();
  const usable = (el) => el && el.isConnected && !el.disabled && !el.closest('[aria-hidden=true],[inert]')
    && el.getClientRects().length > 0;
  const fallbackId = event.target.dataset.returnFocus;
  let target = (window.mpDialogOpeners || {})[event.target.id];
  if (!usable(target) && fallbackId) { target = document.getElementById(fallbackId); }
  if (!usable(target)) {
    target = document.querySelector('main h1') || document.querySelector('main');
    if (target && !target.hasAttribute('tabindex')) { target.setAttribute('tabindex', '-1'); }
  }
  if (target) { target.focus(); }
}"""
)


def dialog(
    state: Any,
    name: str | rx.Var,
    title: rx.Var | str,
    description: rx.Var | str,
    *children: rx.Component,
    dialog_id: str | rx.Var,
    max_width: str = "32rem",
    return_focus_id: str = "",
    alert: bool = False,
    on_top: bool = False,
) -> rx.Component:
    """The frame every dialog of the app uses; ``children`` follow the title and description.

    ``on_top``: a question asked on top of the open dialog (``state.open_question == name``),
    which stays open beneath it.

    ``alert``: a question that needs an answer (role ``alertdialog``; a click outside does not
    close it, and focus starts on Cancel).
    """
    kind = rx.alert_dialog if alert else rx.dialog
    return kind.root(
        kind.content(
            kind.title(title),
            kind.description(description, size="2"),
            *children,
            id=dialog_id,
            max_width=max_width,
            data_return_focus=return_focus_id or None,
            on_open_auto_focus=_REMEMBER_OPENER,
            on_close_auto_focus=_RETURN_FOCUS,
        ),
        open=(state.open_question if on_top else state.open_dialog) == name,
        on_open_change=state.question_open_change if on_top else state.dialog_open_change,
    )


def close_button(label: rx.Var | str, *, alert: bool = False, **props: Any) -> rx.Component:
    """A button that closes its dialog (as Escape does)."""
    style = {"variant": "soft", "color_scheme": "gray", "high_contrast": True, "size": "3", **props}
    button = rx.button(label, type="button", **style)
    return rx.alert_dialog.cancel(button) if alert else rx.dialog.close(button)


def form_dialog(
    state: Any,
    name: str | rx.Var,
    title: rx.Var | str,
    description: rx.Var | str,
    *,
    on_submit: Any,
    submit_label: rx.Var | str,
    cancel_label: rx.Var | str,
    dialog_id: str | rx.Var,
    fields: tuple[rx.Component, ...] = (),
    error: rx.Var | None = None,
    danger: bool = False,
    return_focus_id: str = "",
    alert: bool = False,
    on_top: bool = False,
) -> rx.Component:
    """A question or a form: fields, the form's error, then Cancel and the action (``on_submit``).

    It stays open while the handler reports an error, and closes when the handler succeeds
    (``_close_dialog``). Typed values reach the handler in the submitted form only.
    """
    return dialog(
        state,
        name,
        title,
        description,
        scripted_form(
            rx.vstack(
                *fields,
                form_error(error) if error is not None else rx.fragment(),
                rx.hstack(
                    close_button(cancel_label, alert=alert),
                    rx.button(
                        submit_label,
                        color_scheme="red" if danger else None,
                        high_contrast=True,
                        size="3",
                        type="submit",
                    ),
                    spacing="3",
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="var(--space-4)",
            ),
            on_submit=on_submit,
            reset_on_submit=False,
        ),
        dialog_id=dialog_id,
        return_focus_id=return_focus_id,
        alert=alert,
        on_top=on_top,
    )


def dialog_button(state: Any, name: str | rx.Var, label: rx.Var | str, **props: Any) -> rx.Component:
    """The button that opens dialog ``name`` (and gets focus back when it closes)."""
    return rx.button(label, type="button", on_click=state.show_dialog(name), aria_haspopup="dialog", **props)
