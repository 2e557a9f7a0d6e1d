"""Staff page: the ingestion sources, their last frame, frame and reading counts, and lag."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.components.template import template
from app.models import Role
from app.states.staff.ingest_status import IngestState

_COLUMNS = (
    ("ingest.source", "name"),
    ("ingest.worker", "worker"),
    ("ingest.group", "group"),
    ("ingest.kind", "kind"),
    ("ingest.data", "reading_source"),
    ("ingest.state", "state"),
    ("ingest.last_frame", "last_frame"),
    ("ingest.frames_ok", "frames_ok"),
    ("ingest.frames_bad", "frames_bad"),
    ("ingest.frames_refused", "frames_refused"),
    ("ingest.readings_stored", "readings_stored"),
    ("ingest.readings_duplicate", "readings_duplicate"),
    ("ingest.readings_rejected", "readings_rejected"),
    ("ingest.lag", "lag"),
    ("ingest.messages", "messages"),
    ("ingest.last_message", "last_message"),
    ("ingest.spool", "spool"),
    ("ingest.last_report", "last_report"),
    ("ingest.outage", "outage"),
)


def _cell(source: rx.Var, field: str) -> rx.Component:
    if field == "state":
        # A worker that stopped reporting stands out, whatever state it last reported.
        return rx.table.cell(
            rx.cond(
                source["silent"] == "1",
                rx.badge(IngestState.t["ingest.silent"], color_scheme="red", variant="solid"),
                source["state"],
            )
        )
    return rx.table.cell(source[field])


def _row(source: rx.Var) -> rx.Component:
    return rx.table.row(*[_cell(source, field) for _, field in _COLUMNS])


@template(
    routes.STAFF_INGEST,
    title_key="title.staff_ingest",
    # Every grid company's sources: the system operator's (issue 20.14).
    roles={Role.ADMIN},
    on_load=IngestState.load_sources,
)
def ingest_status() -> rx.Component:
    return rx.vstack(
        rx.heading(IngestState.t["ingest.title"], size="7", as_="h1"),
        rx.cond(
            IngestState.sources.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(IngestState.t[key]) for key, _ in _COLUMNS]
                        )
                    ),
                    rx.table.body(rx.foreach(IngestState.sources, _row)),
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.vstack(
                rx.text(IngestState.t["ingest.none"]),
                rx.text(IngestState.t["ingest.none_how"], id="ingest-how"),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="5",
        width="100%",
    )
