"""The list of messages that keep failing (the outbox), as the administrator and grid staff see it."""

from __future__ import annotations

import reflex as rx

from app.components.data_table import column_headers, data_table, empty_state, paging_bar
from app.states.failing_messages import FailingMessagesState as S


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["channel"]),
        rx.table.cell(row["recipient"]),
        rx.table.cell(row["what"]),
        rx.table.cell(row["status"]),
        rx.table.cell(row["attempts"]),
        rx.table.cell(rx.text(row["error"], size="1")),
        rx.table.cell(row["created"]),
        rx.table.cell(
            rx.cond(
                row["can_send_again"] != "",
                rx.button(S.t["outbox.send_again"], size="1", variant="soft", high_contrast=True,
                          aria_label=row["send_again_label"],
                          on_click=S.send_again(row["id"])),
            )
        ),
    )


def failing_messages_section() -> rx.Component:
    """Shown only when something keeps failing: a quiet page says nothing about mail."""
    return rx.cond(
        S.total > 0,
        rx.vstack(
            rx.heading(S.t["outbox.title"], size="5", as_="h2"),
            rx.text(S.t["outbox.intro"], size="2"),
            rx.box(
                data_table(
                    column_headers(
                        S.t["outbox.channel"], S.t["outbox.recipient"], S.t["outbox.what"],
                        S.t["outbox.status"], S.t["outbox.attempts"], S.t["outbox.error"],
                        S.t["outbox.created"], S.t["outbox.action"],
                    ),
                    S.rows,
                    _row,
                    table_id="failing-messages",
                ),
                overflow_x="auto",
                width="100%",
            ),
            empty_state(S.rows.length() == 0, S.t["outbox.none"]),
            paging_bar(
                at_first=S.page <= 1,
                at_last=S.page >= S.page_count,
                on_previous=S.go_to_page(S.page - 1),
                on_next=S.go_to_page(S.page + 1),
                position=(S.page_text,),
                previous_label=S.t["keys.list.previous"],
                next_label=S.t["keys.list.next"],
                label=S.t["outbox.paging"],
            ),
            spacing="3",
            width="100%",
            id="failing-messages-section",
        ),
    )
