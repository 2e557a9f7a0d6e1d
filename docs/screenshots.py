"""Screenshots of each portal at its user's size, made from the demo data (`make screenshots`).

Fills a fresh database in a temporary DATA_DIR with the demo (`python -m app.demo`), starts the app
(`reflex run`, development mode) on it, signs each portal's demo user in (a session started through
the services and put into the browser's storage, as the browser tests do), and writes
docs/screenshots/<portal>.png with headless Chromium: customers on a 375 px phone, installers on
an 820 px tablet, distributors, grid staff and administrators at 1440 px. Run it again when pages
change; each picture should stay under 200 KB (it says so when one does not).

Ports: SCREENSHOT_FRONTEND_PORT (default 3000) and SCREENSHOT_BACKEND_PORT (default 8000).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
MAX_BYTES = 200_000


@dataclass(frozen=True)
class Shot:
    name: str
    role: str  # a demo account's role, or "customer"
    route: str
    width: int
    height: int
    ready: str  # a CSS selector that shows the page's data has arrived
    phone: bool = False


SHOTS = (
    Shot("customer", "customer", "/min-side/forbruk", 375, 812, ".js-plotly-plot .bars", phone=True),
    Shot("keys", "distributor", "/nokler", 1440, 900, "tbody tr"),
    Shot("installer", "installer", "/installator", 820, 1180, "tbody tr"),
    Shot("staff", "grid_staff", "/saksbehandling/han", 1440, 900, "tbody tr"),
    Shot("admin", "admin", "/admin", 1440, 900, "tbody tr"),
)


def _demo_environment() -> dict[str, str]:
    data_dir = Path(tempfile.mkdtemp(prefix="meterportal-screenshots-"))
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'meterportal.db'}",
        "REDIS_URL": "",
        "APP_ENV": "development",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }


def _wait_until_served(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (our own local server)
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(2)
    raise SystemExit(f"the app did not answer on {url} within {seconds:.0f} s")


def _session_tokens() -> dict[str, str]:
    """A signed-in session for each portal's demo user (the app's settings read the env set above)."""
    from sqlmodel import select

    from app.db import session_scope
    from app.demo import DEMO_ACCOUNTS
    from app.models import CustomerRelationship, Meter, Role, User
    from app.services.accounts.administration import request_access
    from app.services.caller import Caller
    from app.services.sessions import start_session

    tokens: dict[str, str] = {}
    with session_scope() as db:
        relationship = db.exec(
            select(CustomerRelationship)
            .join(Meter, Meter.id == CustomerRelationship.meter_id)
            .where(Meter.medium == "electricity")
            .order_by(CustomerRelationship.id)
        ).first()
        assert relationship is not None
        tokens["customer"] = start_session(db, Role.CUSTOMER, relationship_id=relationship.id)
        for account in DEMO_ACCOUNTS:
            user = db.exec(select(User).where(User.email == account.email)).one()
            tokens[account.role.value] = start_session(db, account.role, user_id=user.id)
        # Someone waiting for access, so the administrator's page shows a request and its count.
        person = User(email="ny.installator@example.no", name="Nora Berg", role=Role.REGISTERED.value)
        db.add(person)
        db.flush()
        asking = Caller(role=Role.REGISTERED, user_id=person.id)
        request_access(db, asking, "installer", "Elektro Nord AS", "")
    return tokens


def _take(base_url: str, tokens: dict[str, str]) -> list[str]:
    from playwright.sync_api import sync_playwright

    report = []
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for shot in SHOTS:
            context = browser.new_context(
                viewport={"width": shot.width, "height": shot.height},
                is_mobile=shot.phone,
                has_touch=shot.phone,
            )
            context.set_default_timeout(120_000)
            context.add_init_script(f"window.localStorage.setItem('mp_session', '{tokens[shot.role]}')")
            page = context.new_page()
            page.goto(base_url + shot.route)
            # Signed in (the name menu) and the page's data on screen; then the chart's last frame.
            page.locator("header .lucide-circle-user").first.wait_for()
            page.locator(shot.ready).first.wait_for()
            time.sleep(2)
            page.mouse.move(0, 0)
            path = OUT / f"{shot.name}.png"
            page.screenshot(path=str(path), animations="disabled")
            size = path.stat().st_size
            report.append(
                f"{path.relative_to(ROOT)}: {shot.width} px, {size // 1000} KB"
                + ("  (over 200 KB: show less of the page)" if size > MAX_BYTES else "")
            )
            context.close()
        browser.close()
    return report


def main() -> None:
    env = _demo_environment()
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "app.migrate"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [sys.executable, "-m", "app.demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    tokens = _session_tokens()
    frontend = os.environ.get("SCREENSHOT_FRONTEND_PORT", "3000")
    backend = os.environ.get("SCREENSHOT_BACKEND_PORT", "8000")
    reflex = str(Path(sys.executable).parent / "reflex")
    server = subprocess.Popen(  # noqa: S603 (our own reflex, fixed arguments)
        [reflex, "run", "--frontend-port", frontend, "--backend-port", backend],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://localhost:{frontend}"
        _wait_until_served(base_url + "/", 900)
        _wait_until_served(f"http://localhost:{backend}/ping", 300)
        for line in _take(base_url, tokens):
            print(line)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
