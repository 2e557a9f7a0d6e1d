"""The production server the browser tests share: `make prod` once (a production build takes
minutes), with PostgreSQL, a redis-server of its own and two backend workers when the machine has
them. The fixtures are the package's (tests/e2e/conftest.py imports them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from app.config import PROJECT_ROOT
from app.db import make_engine
from tests.local_servers import OwnRedis, answers, free_port, stop_process_tree
from tests.smtp_sink import SmtpSink, running_smtp_sink

VENV_BIN = Path(sys.executable).parent
# Its own web folder: the production build must not overwrite the dev build the harness serves.
PROD_WEB_DIR = PROJECT_ROOT / ".web-prod"
START_TIMEOUT = 600  # a cold npm install and production build on a busy 2-core machine


@pytest.fixture(scope="package")
def production_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PostgreSQL (a private schema) when the machine has it, else SQLite."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('prod-db') / 'prod.db'}"
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


@pytest.fixture(scope="package")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnRedis | None]:
    """The production server's own redis-server (the fault test restarts it) when the machine has Redis."""
    binary = shutil.which("redis-server")
    if not os.environ.get("TEST_REDIS_URL") or binary is None:
        yield None
        return
    redis = OwnRedis(binary, str(tmp_path_factory.mktemp("redis")))
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture(scope="package")
def production_smtp() -> Iterator[SmtpSink]:
    with running_smtp_sink() as sink:
        yield sink


@dataclass
class ProductionServer:
    process: subprocess.Popen
    base_url: str
    workers: int

    def supervisor(self) -> psutil.Process:
        """reflex run's process, granian's supervisor: its children are the backend workers."""
        return next(p for p in psutil.Process(self.process.pid).children() if p.name() != "make")

    def backend_workers(self) -> list[psutil.Process]:
        return self.supervisor().children()


@pytest.fixture(scope="package")
def production_server(
    production_database: str,
    own_redis: OwnRedis | None,
    production_smtp: SmtpSink,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ProductionServer]:
    """`make prod` once for the browser tests that need the production build (it takes minutes to
    build): PostgreSQL, its own Redis and two backend workers when the machine has them."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("prod")
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "DATABASE_URL": production_database,
        "MASTER_KEY_FILE": str(workdir / "master.key"),
        "REFLEX_WEB_WORKDIR": str(PROD_WEB_DIR),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        # Issue 21 point 2: the outbox's sender runs in every backend worker with no command of its own.
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": production_smtp.host,
        "SMTP_PORT": str(production_smtp.port),
        "OUTBOX_POLL_SECONDS": "0.5",
    }
    if own_redis is not None:
        env["REDIS_URL"] = own_redis.url
        env["GRANIAN_WORKERS"] = "2"  # several workers share state through Redis
        env["TRUSTED_PROXY_HOPS"] = "0"  # browsers connect directly: no proxy to trust
    else:
        env.pop("REDIS_URL", None)
        env["GRANIAN_WORKERS"] = "1"
    # The server's output goes to a file, not a pipe: nobody reads a pipe while the tests run, and
    # once its 64 KB filled (a Redis restart logs an error per tab) every log call blocked the
    # workers: the tabs never came back, and the stuck workers outlived the fixture.
    log_path = workdir / "server.log"
    log = log_path.open("wb")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "prod", f"PORT={port}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (answers(base_url + "/ping") and answers(base_url + "/")):
            if server.poll() is not None:
                raise AssertionError(f"make prod stopped:\n{log_path.read_text(errors='replace')[-4000:]}")
            assert time.monotonic() < deadline, f"make prod did not serve in {START_TIMEOUT} s"
            time.sleep(1)
        yield ProductionServer(server, base_url, int(env["GRANIAN_WORKERS"]))
    finally:
        stop_process_tree(server)
        log.close()
