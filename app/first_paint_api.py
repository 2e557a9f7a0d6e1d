"""What Min side paints before React and the websocket are ready (issue 28), on the server side.

A phone at 4x slower CPU spends seconds downloading, parsing and hydrating the framework before
the websocket can ask for the page's data. The prerendered page carries a small inline script
(``app/first_paint.py``) that, with the session token the page already keeps, asks
``GET /api/first-paint?page=…&lang=…`` for the page's first figures and paints them over the
page's placeholder until the live components have them:

- ``overview``: the customer card (name, address, installation, metering point, meter, last reading);
- ``consumption``: the year's bars as plain SVG, the same markup and numbers as the live page's.

The session is checked as every handler checks it (``require_role``, refusals audited), and
the answer is only ever for the caller's own current relationship, through the same services
(and visibility selector) the live page uses. A refusal carries no figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.db import session_scope
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.models import Medium, Role
from app.services.access import require_role
from app.services.customer.consumption.access import customer_meter
from app.services.customer.consumption.charts import year_overview
from app.services.customer.relationships import customer_overview
from app.services.errors import AccessDenied
from app.states.customer.consumption_figures import year_bars_markup
from app.states.customer.consumption_text import EnergyFormat, Wording
from app.states.customer.overview_text import overview_facts

OVERVIEW, CONSUMPTION = "overview", "consumption"


@dataclass(frozen=True)
class FirstPaint:
    status_code: int
    body: dict[str, Any]


def _overview(db: Session, token: str, language: str, client_address: str | None) -> dict[str, Any]:
    caller = require_role(
        db, token, {Role.CUSTOMER}, action="first_paint.overview", client_address=client_address
    )
    return overview_facts(customer_overview(db, caller), language)


def _consumption(db: Session, token: str, language: str, client_address: str | None) -> dict[str, Any]:
    caller = require_role(
        db, token, {Role.CUSTOMER}, action="first_paint.consumption", client_address=client_address
    )
    meter = customer_meter(db, caller)
    # As ConsumptionState shows the year: heat in MWh, everything else in kWh, one decimal.
    unit = "MWh" if meter.medium == Medium.HEAT else "kWh"
    energy = EnergyFormat(unit, 2 if unit == "MWh" else 1, language)
    overview = year_overview(db, caller, meter.meter_id)
    if overview.empty:
        return {"bars": ""}
    return {"bars": year_bars_markup(overview, Wording(language).month_names(), energy.value)}


_PAGES = {OVERVIEW: _overview, CONSUMPTION: _consumption}


def first_paint(token: str, page: str, language: str, *, client_address: str | None) -> FirstPaint:
    """The first figures of ``page`` for the holder of ``token``; 401/403 with nothing else."""
    answer = _PAGES.get(page)
    if answer is None:
        return FirstPaint(404, {})
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    try:
        with session_scope() as db:
            return FirstPaint(200, answer(db, token, language, client_address))
    except AccessDenied:
        return FirstPaint(401 if not token else 403, {})
