"""`make run`'s dev server keeps its backend while the app writes its own data.

Reflex's dev server restarts the backend when a file under the repository changes. Every sign-in
writes to the SQLite database (and its journal) under `data/`; if that folder were watched, each
write would kill the backend and drop the events in flight.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.db import make_engine
from app.migrate import upgrade_to_head
from app.models import Customer, CustomerRelationship, Meter, Organisation, OrganisationKind
from app.services.mobile_numbers import normalise_mobile
from tests.local_servers import answers, free_port, stop_process_tree
from tests.services.customer_factories import DemoCustomer, sign_in_by_sms

VENV_BIN = Path(sys.executable).parent


def _backend_workers(server: subprocess.Popen) -> set[int]:
    return {child.pid for child in psutil.Process(server.pid).children(recursive=True)}


def _customer(db: Session) -> DemoCustomer:
    utility = Organisation(name="Nett AS", kind=OrganisationKind.GRID_COMPANY.value)
    customer = Customer(name="Kari Nordmann", mobile="+4740000000")
    meter = Meter(serial="DEVRELOAD1", manufacturer="Aidon", model="6525", medium="electricity")
    db.add_all([utility, customer, meter])
    db.flush()
    relationship = CustomerRelationship(
        customer_id=customer.id,
        utility_id=utility.id,
        installation_number="3100000",
        metering_point_id="707057500000010000",
        address="Storgata 1",
        postcode="0155",
        city="Oslo",
        meter_id=meter.id,
    )
    db.add(relationship)
    db.commit()
    return DemoCustomer(
        customer.id or 0,
        relationship.id or 0,
        "3100000",
        "707057500000010000",
        "+4740000000",
        normalise_mobile("+4740000000"),
        customer.name,
        meter.serial,
    )


@pytest.fixture
def data_under_repository() -> Path:
    """A database inside the repository's data folder, as `make run` has it; removed afterwards."""
    folder = PROJECT_ROOT / "data" / f"test-dev-server-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_signing_in_does_not_restart_the_dev_backend(data_under_repository: Path):
    database_url = f"sqlite:///{data_under_repository / 'meterportal.db'}"
    upgrade_to_head(database_url)
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url,
        "MASTER_KEY_FILE": str(data_under_repository / "master.key"),
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    env.pop("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", None)
    # `make run` is `reflex run` in dev mode; the backend alone is the part that reloads.
    server = subprocess.Popen(
        [str(VENV_BIN / "reflex"), "run", "--backend-only", "--backend-port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    ping = f"http://127.0.0.1:{port}/ping"
    try:
        deadline = time.monotonic() + 90
        while not answers(ping, timeout=1):
            assert server.poll() is None, "the dev server stopped while starting"
            assert time.monotonic() < deadline, "the dev server did not answer in 90 s"
            time.sleep(0.5)
        workers_before = _backend_workers(server)
        assert workers_before

        engine = make_engine(database_url)
        with Session(engine) as db:
            result = sign_in_by_sms(db, _customer(db))
        engine.dispose()
        assert result.session_token
        time.sleep(3)  # the reloader reacts within 0.1 s; a new worker takes about a second

        assert _backend_workers(server) == workers_before, "the backend was restarted"
        assert answers(ping, timeout=1)
    finally:
        stop_process_tree(server, timeout=20)
