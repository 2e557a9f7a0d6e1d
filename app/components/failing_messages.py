"""The list of messages that keep failing (the outbox), as the administrator and grid staff see it."""

from __future__ import annotations

import reflex as rx

from app.components.paged_table import Column, paged_table
from app.states.failing_messages import FailingMessagesState as S


def _send_again(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["can_send_again"] != "",
        rx.button(
            S.t["outbox.send_again"],
            size="1",
            variant="soft",
            high_contrast=True,
            aria_label=row["send_again_label"],
            on_click=S.send_again(row["id"]),
        ),
    )


COLUMNS = (
    Column("outbox.channel", "channel"),
    Column("outbox.recipient", "recipient"),
    Column("outbox.what", "what"),
    Column("outbox.status", "status"),
    Column("outbox.attempts", "attempts"),
    Column("outbox.error", cell=lambda row: rx.text(row["error"], size="1")),
    Column("outbox.created", "created"),
    Column("outbox.action", cell=_send_again),
)


def failing_messages_section() -> rx.Component:
    """Shown only when something keeps failing: a quiet page says nothing about mail."""
    return rx.cond(
        S.total > 0,
        rx.vstack(
            rx.heading(S.t["outbox.title"], size="5", as_="h2"),
            rx.text(S.t["outbox.intro"], size="2"),
            paged_table(S, COLUMNS, table_id="failing-messages", empty_key="outbox.none", row_id=None),
            spacing="3",
            width="100%",
            id="failing-messages-section",
        ),
    )
