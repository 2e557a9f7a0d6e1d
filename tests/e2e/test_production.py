"""`make prod`, the command a utility runs: the production build on one port, with PostgreSQL,
Redis and two backend workers when the machine has them. A customer's page loads through it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from app import routes
from app.asset_caching import FOREVER, REVALIDATE
from app.config import PROJECT_ROOT
from app.db import make_engine
from app.models import Customer, CustomerRelationship, Meter, Organisation, OrganisationKind, Role
from app.services.sessions import start_session
from tests.e2e.conftest import DESKTOP
from tests.e2e.signin import SESSION_KEY
from tests.local_servers import answers, free_port, stop_process_tree
from tests.smtp_sink import SmtpSink, running_smtp_sink

pytestmark = pytest.mark.e2e

VENV_BIN = Path(sys.executable).parent
# Its own web folder: the production build must not overwrite the dev build the harness serves.
PROD_WEB_DIR = PROJECT_ROOT / ".web-prod"
START_TIMEOUT = 600  # a cold npm install and production build on a busy 2-core machine


@pytest.fixture
def production_database(tmp_path: Path) -> Iterator[str]:
    """PostgreSQL (a private schema) when the machine has it, else SQLite."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'prod.db'}"
        return
    from sqlalchemy import text

    schema = f"mp_prod_{os.getpid()}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _customer_relationship(database_url: str) -> tuple[int, str]:
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as db:
        utility = Organisation(name="Nett AS", kind=OrganisationKind.GRID_COMPANY.value)
        customer = Customer(name="Produksjon Kunde", mobile="+4740009999")
        meter = Meter(serial="PROD0001", manufacturer="Aidon", model="6525", medium="electricity")
        db.add_all([utility, customer, meter])
        db.flush()
        relationship = CustomerRelationship(
            customer_id=customer.id,
            utility_id=utility.id,
            installation_number="3199999",
            metering_point_id="707057500000099990",
            address="Kraftveien 1",
            postcode="7010",
            city="Trondheim",
            meter_id=meter.id,
        )
        db.add(relationship)
        db.commit()
        # The server runs on the real clock, so its session starts on the real clock too.
        token = start_session(db, Role.CUSTOMER, relationship_id=relationship.id, now=datetime.now(UTC))
        db.commit()
    engine.dispose()
    return relationship.id or 0, token


def _queue_mails(database_url: str, count: int) -> list[str]:
    """Mails queued as a decision would queue them; nothing but the app's own sender sends them."""
    from app.services.notify.outbox import queue_mail

    addresses = [f"prod{n}@example.org" for n in range(count)]
    engine = make_engine(database_url)
    with Session(engine) as db:
        for address in addresses:
            queue_mail(db, address, "access_declined", "en", reason="Unknown organisation")
        db.commit()
    engine.dispose()
    return addresses


def _get(url: str, **headers: str) -> tuple[dict[str, str], bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
        return {name.lower(): value for name, value in answer.headers.items()}, answer.read()


# A page's compiled parts look their texts up by key: t_rx_state_?.[`keys.assign`] names the area.
TEXT_AREA = re.compile(rb"t_rx_state_\?\.\[`([a-z_]+)\.")


def _check_a_phones_first_load(base_url: str) -> None:
    """Issue 28: what the customer's overview makes a phone fetch and parse on its first visit.
    Its scripts hold its own parts, not those of the other portals' pages (they held every
    page's: 640 KB more to parse); they come as few files, precompressed (brotli), kept for a
    year (hashed names), while the page itself is revalidated on each visit."""
    headers, html = _get(base_url + routes.CUSTOMER_HOME)
    assert headers["cache-control"] == REVALIDATE.decode()
    scripts = sorted(set(re.findall(rb'href="(/assets/[^"]+\.js)"', html)))
    assert 0 < len(scripts) <= 12, scripts
    areas: set[bytes] = set()
    for script in scripts:
        headers, _ = _get(base_url + script.decode(), **{"Accept-Encoding": "br"})
        assert headers["cache-control"] == FOREVER.decode(), script
        assert headers.get("content-encoding") == "br", script
        areas |= set(TEXT_AREA.findall(_get(base_url + script.decode())[1]))
    assert b"customer" in areas
    assert not areas & {b"keys", b"installer", b"settings", b"staff", b"consumption"}, areas


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with running_smtp_sink() as sink:
        yield sink


def test_make_prod_serves_the_production_build_on_one_port(
    browser: Browser, production_database: str, tmp_path: Path, smtp: SmtpSink
):
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "DATABASE_URL": production_database,
        "MASTER_KEY_FILE": str(tmp_path / "master.key"),
        "REFLEX_WEB_WORKDIR": str(PROD_WEB_DIR),
        "REFLEX_STATES_WORKDIR": str(tmp_path / "states"),
        # Issue 21 point 2: the outbox's sender runs in every backend worker with no command of its own.
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "OUTBOX_POLL_SECONDS": "0.5",
    }
    if os.environ.get("TEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
        env["GRANIAN_WORKERS"] = "2"  # several workers share state through Redis
        env["TRUSTED_PROXY_HOPS"] = "0"  # browsers connect directly: no proxy to trust
    else:
        env.pop("REDIS_URL", None)
        env["GRANIAN_WORKERS"] = "1"
    server = subprocess.Popen(
        ["make", "--no-print-directory", "prod", f"PORT={port}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (answers(base_url + "/ping") and answers(base_url + "/")):
            assert server.poll() is None, f"make prod stopped:\n{server.stdout.read()[-4000:]}"
            assert time.monotonic() < deadline, f"make prod did not serve in {START_TIMEOUT} s"
            time.sleep(1)
        if env["GRANIAN_WORKERS"] == "2":
            descendants = psutil.Process(server.pid).children(recursive=True)
            assert len(descendants) >= 3, "reflex's supervisor and two backend workers"
        _check_a_phones_first_load(base_url)

        # Queued mails go out by themselves, each exactly once, though every worker sends.
        addresses = _queue_mails(production_database, 30)
        for address in addresses:
            smtp.wait_for(address, timeout=60)
        time.sleep(2)  # a few more rounds of both workers' senders
        assert sorted(message["To"] for message in smtp.messages) == sorted(addresses)

        _, token = _customer_relationship(production_database)
        context = browser.new_context(viewport=DESKTOP)
        try:
            page = context.new_page()
            page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")
            page.goto(base_url + "/min-side")
            # The name comes from the database through the backend's websocket and state manager.
            expect(page.get_by_role("heading", name="Produksjon Kunde")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("707057500000099990")).to_be_visible()
            # Each reload opens a new websocket, on either worker. The worker that last served
            # the tab holds its state's lock for a while (REFLEX_OPLOCK_*); the other one has to
            # break that lease at once, not wait out the lock's 10 s expiry.
            for _ in range(4):
                began = time.monotonic()
                page.reload()
                expect(page.get_by_role("heading", name="Produksjon Kunde")).to_be_visible(timeout=8_000)
                assert time.monotonic() - began < 8
        finally:
            context.close()
    finally:
        stop_process_tree(server)
