"""Shared fixtures. The app under browser test gets its own SQLite file, chosen before import."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

# Settings are read once at import, so the app's database for this test session is fixed here.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="meterportal-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_SESSION_DIR / 'app.db'}"
os.environ["MASTER_KEY_FILE"] = str(_SESSION_DIR / "master.key")
os.environ["SMS_BACKEND"] = "console"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.clock import running_from  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.migrate import upgrade_to_head  # noqa: E402
from app.page_registry import PAGES, load_records  # noqa: E402
from tests.clock_instants import CLOCK_INSTANTS  # noqa: E402
from tests.external_services import postgres_url_or_skip  # noqa: E402

SESSION_DIR = _SESSION_DIR


@pytest.fixture(scope="session")
def migrated_sqlite_template() -> Path:
    """One SQLite file migrated to head per test session: running every migration for each test
    cost 0.5-0.8 s warm (3.5 s cold) a test."""
    template = SESSION_DIR / "migrated-template.db"
    upgrade_to_head(f"sqlite:///{template}")
    return template


@pytest.fixture
def database_url(tmp_path: Path, migrated_sqlite_template: Path) -> str:
    """A fresh SQLite database at head: a copy of the session's migrated template."""
    path = tmp_path / "test.db"
    # The backup API copies a consistent database whatever its journal mode (the template is WAL).
    with (
        closing(sqlite3.connect(migrated_sqlite_template)) as source,
        closing(sqlite3.connect(path)) as target,
    ):
        source.backup(target)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A private schema in the PostgreSQL test database, dropped afterwards."""
    base = postgres_url_or_skip()
    schema = f"mp_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def app_database_url() -> str:
    """The database the app under test uses (DATABASE_URL above), migrated once."""
    url = os.environ["DATABASE_URL"]
    upgrade_to_head(url)
    return url


@pytest.fixture(params=list(CLOCK_INSTANTS.values()), ids=list(CLOCK_INSTANTS))
def fixed_now(request: pytest.FixtureRequest) -> Iterator[datetime]:
    """The app's clock running from each of the instants where date arithmetic goes wrong."""
    with running_from(request.param):
        yield request.param


@pytest.fixture(scope="session", autouse=True)
def page_registry() -> None:
    """The page registry the menu, the sign-in redirect and the handler test read.

    The pages fill it as they are imported, but the browser tests' harness must be the first to
    import them in this process (tests/e2e/conftest.py), so a child process imports the app and
    hands the registry over as data.
    """
    if PAGES:
        return
    dump = "import json, app.app; from app.page_registry import as_records; print(json.dumps(as_records()))"
    child = subprocess.run(
        [sys.executable, "-c", dump], capture_output=True, text=True, check=True, env=os.environ.copy()
    )
    load_records(json.loads(child.stdout.strip().splitlines()[-1]))


_ORDER_SEED = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    order = os.environ.get("TEST_ORDER", "")
    if order not in ("", "reverse", "random"):
        raise pytest.UsageError(f"TEST_ORDER={order!r}: use reverse or random")
    if order == "random":
        config.stash[_ORDER_SEED] = int(
            os.environ.get("TEST_ORDER_SEED") or random.SystemRandom().randrange(10**6)
        )
        # xdist's workers start later from this environment: they must shuffle alike.
        os.environ["TEST_ORDER_SEED"] = str(config.stash[_ORDER_SEED])


def pytest_report_header(config: pytest.Config) -> str | None:
    if _ORDER_SEED in config.stash:
        return f"test order: random, TEST_ORDER_SEED={config.stash[_ORDER_SEED]}"
    return "test order: reverse" if os.environ.get("TEST_ORDER") == "reverse" else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """TEST_ORDER=reverse runs the collected tests last to first; TEST_ORDER=random shuffles them
    with TEST_ORDER_SEED (chosen and shown in the header when not given, so a failing order can
    be run again). Every test builds its own world, so any order must pass."""
    if os.environ.get("TEST_ORDER") == "reverse":
        items.reverse()
    elif _ORDER_SEED in config.stash:
        random.Random(config.stash[_ORDER_SEED]).shuffle(items)


# Tests that run the app's own servers out of the repository's .web folder (the browser tests'
# harness, the production build, the dev server) must run one after another in one process.
_SHARES_THE_WEB_FOLDER = ("tests/e2e/", "tests/test_dev_server.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """`make test` runs two pytest-xdist workers: one takes the tests that share the .web folder
    as one unit (the largest, so it is handed out first and its app starts before that worker
    imports any page), the other runs everything else meanwhile. xdist's own `loadgroup` does
    not group under pytest 9 (it renames `item._nodeid`, which pytest no longer reads)."""
    from xdist.scheduler import LoadScopeScheduling

    class WebFolderTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "web-folder" if nodeid.startswith(_SHARES_THE_WEB_FOLDER) else nodeid

    return WebFolderTestsTogether(config, log)
