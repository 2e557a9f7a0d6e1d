"""The notification form's sections: installation, property owner, billing party, the work.

Fields are uncontrolled; their defaults come from the server and the form remounts (its key
changes) after every update. Mandatory fields carry ``required``: the CSS below shows them red
while empty (the form is submitted with ``no_validate``, so drafts can be saved incomplete).
"""

from __future__ import annotations

import reflex as rx

from app.components.fields import select_field, text_area_field, text_field
from app.services.installer.form_fields import REQUIRED_FIELDS
from app.states.installer.notification_form import NotificationFormState as S

REQUIRED = frozenset(REQUIRED_FIELDS)
FORM_ID = "notification-form"

REQUIRED_CSS = """
#notification-form .rt-TextFieldRoot:has(input:required:invalid),
#notification-form select:required:invalid,
#notification-form [aria-invalid="true"] {
  box-shadow: inset 0 0 0 2px var(--red-9);
  background-color: var(--red-2);
}
@media print { header, footer, nav, .mp-no-print { display: none !important; } }
"""


def submit_script(intent: str) -> rx.event.EventSpec:
    """Submit the form with ``intent`` (save, send, copy_owner): the handler saves first, then acts."""
    return rx.call_script(
        "(() => { const f = document.getElementById('" + FORM_ID + "'); if (!f) return;"
        f" f.elements.intent.value = '{intent}'; f.requestSubmit(); f.elements.intent.value = 'save'; }})()"
    )


def _field(label_key: str, name: str, **extra) -> rx.Component:  # type: ignore[no-untyped-def]
    return text_field(
        S.t[label_key], name, S.errors[name], default_value=S.values[name], required=name in REQUIRED, **extra
    )


def _section(title_key: str, *children: rx.Component, action: rx.Component | None = None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(S.t[title_key], size="4", as_="h2"),
                rx.spacer(),
                action or rx.fragment(),
                width="100%",
                align="center",
            ),
            rx.grid(
                *children, columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="4", width="100%"
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _id_number(party: str) -> rx.Component:
    name = f"{party}_id_number"
    t = S.t

    def field(required: bool, hint_key: str) -> rx.Component:
        return text_field(
            t["installer.field.id_number"],
            name,
            S.errors[name],
            required=required,
            hint=t[hint_key],
            autocomplete="off",
        )

    if name not in REQUIRED:
        return rx.cond(
            S.values[f"{name}_stored"],
            field(False, "installer.id_number_stored"),
            field(False, "installer.id_number_hint"),
        )
    return rx.cond(
        S.values[f"{name}_stored"],
        field(False, "installer.id_number_stored"),
        field(True, "installer.id_number_hint"),
    )


def _party(party: str) -> list[rx.Component]:
    t = S.t
    kinds = [("private", t["installer.kind.private"]), ("company", t["installer.kind.company"])]
    return [
        select_field(
            t["installer.field.kind"],
            f"{party}_kind",
            kinds,
            S.errors[f"{party}_kind"],
            default_value=S.values[f"{party}_kind"],
        ),
        _field("installer.field.surname", f"{party}_surname", autocomplete="off"),
        _field("installer.field.first_name", f"{party}_first_name"),
        _field("installer.field.care_of", f"{party}_care_of"),
        _field("installer.field.address", f"{party}_address"),
        _field("installer.field.postcode", f"{party}_postcode", input_mode="numeric"),
        _field("installer.field.city", f"{party}_city"),
        _id_number(party),
        _field("installer.field.phone", f"{party}_phone", type="tel"),
        _field("installer.field.email", f"{party}_email", type="email"),
        _field("installer.field.invoice_reference", f"{party}_invoice_reference"),
    ]


def form_sections() -> rx.Component:
    t = S.t
    return rx.vstack(
        _section(
            "installer.section.installation",
            _field("installer.field.installation_address", "installation_address"),
            _field("installer.field.installation_postcode", "installation_postcode", input_mode="numeric"),
            _field("installer.field.installation_city", "installation_city"),
            _field("installer.field.meter_number", "meter_number"),
            _field("installer.field.ean", "ean", input_mode="numeric"),
            _field("installer.field.technical_number", "technical_number"),
        ),
        _section("installer.section.owner", *_party("owner")),
        _section(
            "installer.section.billing",
            *_party("billing"),
            action=rx.button(
                t["installer.copy_owner"],
                type="button",
                size="2",
                variant="soft",
                high_contrast=True,
                id="copy-owner",
                disabled=~S.editing,
                on_click=submit_script("copy_owner"),
            ),
        ),
        _section(
            "installer.section.work",
            _field("installer.field.meter_placement", "meter_placement"),
            _field("installer.field.main_fuse_before", "main_fuse_before", input_mode="numeric"),
            _field("installer.field.main_fuse_after", "main_fuse_after", input_mode="numeric"),
            text_area_field(
                t["installer.field.description"],
                "description",
                S.errors["description"],
                default_value=S.values["description"],
                rows="3",
            ),
        ),
        spacing="4",
        width="100%",
    )
