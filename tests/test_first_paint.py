"""Min side's first paint (issue 28): the script in the built pages, and the answer it asks for,
only ever for the holder of a live customer session and only of their own relationship."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.api import api
from app.clock import local_now
from app.db import get_engine, session_scope
from app.first_paint import MARK, FirstPaintPlugin, add_first_paint
from app.models import AuditEntry, OrganisationKind, Role
from app.services.consumption.local_time import local_zone
from app.services.consumption.rollups import refresh_consumption
from app.services.readings import insert_readings
from app.services.sessions import start_session
from tests.factories import add_account, add_organisation, customer_session, new_customer

# As Reflex builds a page: modules, its colour-mode script, then the stylesheet.
HEAD = (
    '<!DOCTYPE html><html><head><meta charSet="utf-8"/><link rel="modulepreload" href="/assets/root.js"/>'
    "<script>document.documentElement.classList.add('light')</script>"
)
STYLES = '<link href="/assets/styles.css" rel="stylesheet" type="text/css"/>'
PAGE = HEAD + STYLES + '</head><body><div id="x"></div></body></html>'
PAGES = {
    "/min-side": ("overview", "overview-skeleton"),
    "/min-side/forbruk": ("consumption", "consumption-loading"),
}


def _build(static_dir: Path) -> None:
    (static_dir / "min-side").mkdir(parents=True)
    for page in ("min-side.html", "min-side/forbruk.html", "min-side/profil.html", "index.html"):
        (static_dir / page).write_text(PAGE)


def test_the_overview_and_consumption_pages_get_the_script_once_at_the_top_of_head(tmp_path: Path):
    _build(tmp_path)
    changed = add_first_paint(tmp_path, PAGES)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in changed) == [
        "min-side.html",
        "min-side/forbruk.html",
    ]
    overview = (tmp_path / "min-side.html").read_text()
    # After React's own scripts in <head> (it would take ours for its colour-mode script and render
    # the page again), before the stylesheet (an inline script after it waits for it to load).
    assert overview.startswith(HEAD + f"<script {MARK}>")
    assert overview.index(STYLES) > overview.index("})();</script>")
    assert overview.count(MARK) == 1 and '"overview-skeleton"' in overview
    assert '"consumption-loading"' in (tmp_path / "min-side" / "forbruk.html").read_text()
    for other in ("min-side/profil.html", "index.html"):
        assert (tmp_path / other).read_text() == PAGE
    assert add_first_paint(tmp_path, PAGES) == []  # a build served again: nothing added twice


def test_the_plugin_runs_after_the_build(tmp_path: Path):
    _build(tmp_path)
    FirstPaintPlugin().post_build(static_dir=tmp_path)
    assert MARK in (tmp_path / "min-side.html").read_text()


@pytest.fixture
def client(app_database_url: str) -> TestClient:
    return TestClient(api)


@pytest.fixture
def grid(app_database_url: str) -> int:
    """A grid company of this test's own: its customers and staff."""
    with session_scope() as db:
        return add_organisation(db, OrganisationKind.GRID_COMPANY)


def _ask(client: TestClient, page: str, token: str | None, lang: str = "en"):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get("/api/first-paint", params={"page": page, "lang": lang}, headers=headers)


def test_a_signed_in_customer_gets_their_own_card_and_it_is_never_stored(client: TestClient, grid: int):
    customer = new_customer(utility_id=grid)
    with session_scope() as db:
        token = customer_session(db, customer)
    answer = _ask(client, "overview", token)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json() == {
        "name": customer.name,
        "facts": [
            ["Address", "Storgata 1, 7010 Trondheim"],
            ["Installation number", customer.installation_number],
            ["Metering point ID", customer.metering_point_id],
            ["Meter number", customer.meter_serial],
            ["Last reading", "No reading yet"],
        ],
    }
    # In the tab's language; an unknown one falls back to the portal's default.
    assert _ask(client, "overview", token, lang="nb").json()["facts"][0][0] == "Adresse"
    assert _ask(client, "overview", token, lang="xx").json()["facts"][0][0] == "Adresse"


def test_no_session_another_role_or_an_ended_session_gets_nothing(client: TestClient, grid: int):
    customer = new_customer(utility_id=grid)
    with session_scope() as db:
        staff = add_account(db, Role.GRID_STAFF, organisation_id=grid)
        staff_token = start_session(db, Role.GRID_STAFF, user_id=staff.user_id)
    for page in ("overview", "consumption"):
        for token, status in ((None, 401), ("", 401), ("not-a-session", 403), (staff_token, 403)):
            answer = _ask(client, page, token)
            assert (answer.status_code, answer.json()) == (status, {}), (page, token)
            assert customer.name not in answer.text and customer.metering_point_id not in answer.text
    assert _ask(client, "profile", staff_token).status_code == 404
    with session_scope() as db:
        refusals = db.exec(
            select(AuditEntry.detail).where(
                AuditEntry.actor_user_id == staff.user_id, AuditEntry.outcome == "refused"
            )
        ).all()
    assert sorted(d.split(":")[0] for d in refusals) == ["first_paint.consumption", "first_paint.overview"]


def test_each_customer_sees_only_their_own(client: TestClient, grid: int):
    first, second = new_customer(utility_id=grid), new_customer(utility_id=grid)
    with session_scope() as db:
        token = customer_session(db, second)
    answer = _ask(client, "overview", token).text
    assert second.metering_point_id in answer
    assert first.metering_point_id not in answer and first.name not in answer


def test_the_years_bars_carry_the_numbers_the_table_shows(client: TestClient, grid: int):
    customer = new_customer(utility_id=grid)
    year = local_now(local_zone()).year
    start = int(datetime(year, 1, 1, tzinfo=local_zone()).timestamp())
    # 48 hours of 1.5 kWh in January: 72.0 kWh that month, nothing else.
    points = [(start + hour * 3600, 1000.0 + 1.5 * hour) for hour in range(49)]
    with get_engine().begin() as connection:
        insert_readings(
            connection, [(customer.meter_id, "1-0:1.8.0", ts, v, "kWh", "collected") for ts, v in points]
        )
        refresh_consumption(connection, customer.meter_id, start)
    with session_scope() as db:
        token = customer_session(db, customer)
    bars = _ask(client, "consumption", token).json()["bars"]
    assert re.findall(r'data-key="([^"]+)" data-value="([^"]+)" data-year="(\d+)"', bars) == [
        (f"{year}-01-01", "72.0", str(year))
    ]
    assert ">Jan<" in bars  # the month names of the tab's language
    # A customer without readings: no bars to paint (the page says there is no data).
    with session_scope() as db:
        empty = customer_session(db, new_customer(utility_id=grid))
    assert _ask(client, "consumption", empty).json() == {"bars": ""}
