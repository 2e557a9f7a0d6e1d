"""The installation API over a real HTTP connection: bearer token, rate limit, log, no numbers;
and the installer side's status codes 100 and 201."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from installer_factories import World, build_world, ean_for
from sqlmodel import select

from app.api import api
from app.db import session_scope
from app.models import InstallationApiCall
from app.services.caller import CLI_CALLER
from app.services.installer.api_tokens import issue_api_token, portal_api_token
from app.services.installer.installation_client import COMPLETED, FAILED, fetch_installation
from app.services.installer.installation_lookup import BAD_TOKENS_PER_ADDRESS, LOOKUPS_PER_TOKEN
from tests.local_servers import free_port


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def app_world(app_database_url) -> tuple[World, str, str]:
    suffix = uuid.uuid4().hex[:8]
    with session_scope() as db:
        world = build_world(db, suffix)
        token = portal_api_token(db, world.firm)
    return world, suffix, token


def _calls(firm: int) -> list[InstallationApiCall]:
    with session_scope() as db:
        return list(
            db.exec(
                select(InstallationApiCall)
                .where(InstallationApiCall.installer_firm_id == firm)
                .order_by(InstallationApiCall.id)
            )
        )


def test_a_firm_looks_up_an_installation_by_meter_or_ean_without_any_personal_number(api_url, app_world):
    world, suffix, token = app_world
    headers = {"Authorization": f"Bearer {token}"}
    by_meter = httpx.get(
        f"{api_url}/api/installations", params={"meter": f"AID70000001{suffix}"}, headers=headers
    )
    assert by_meter.status_code == 200
    body = by_meter.json()
    assert body["ean"] == ean_for(suffix) and body["owner"]["surname"] == "Nordmann"
    assert "id_number" not in by_meter.text and "personnummer" not in by_meter.text
    by_ean = httpx.get(f"{api_url}/api/installations", params={"ean": ean_for(suffix)}, headers=headers)
    assert by_ean.json()["meter_number"] == f"AID70000001{suffix}"
    assert [call.status_code for call in _calls(world.firm)] == [200, 200]


def test_no_token_or_a_wrong_one_is_refused_and_logged(api_url, app_world):
    _world, suffix, _ = app_world
    params = {"meter": f"AID70000001{suffix}"}
    assert httpx.get(f"{api_url}/api/installations", params=params).status_code == 401
    wrong = httpx.get(f"{api_url}/api/installations", params=params, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    with session_scope() as db:
        refused = db.exec(
            select(InstallationApiCall).where(
                InstallationApiCall.query == f"meter={params['meter']}",
                InstallationApiCall.status_code == 401,
            )
        ).all()
    # Issue 20.11: the same refusal from the same address is counted on one row.
    assert sum(row.repeats for row in refused) == 2


def test_a_firm_sees_only_installations_of_grid_companies_it_is_authorised_for(api_url, app_world):
    world, suffix, _ = app_world
    with session_scope() as db:
        other_token = portal_api_token(db, world.other_firm)
    answer = httpx.get(
        f"{api_url}/api/installations",
        params={"meter": f"AID70000001{suffix}"},
        headers={"Authorization": f"Bearer {other_token}"},
    )
    assert answer.status_code == 404 and answer.json()["message"] == "Installation not found"


def test_each_token_is_rate_limited(api_url, app_world):
    world, _suffix, _ = app_world
    with session_scope() as db:
        token = issue_api_token(db, CLI_CALLER, world.firm, "outside system")
    headers = {"Authorization": f"Bearer {token}"}
    codes = [
        httpx.get(f"{api_url}/api/installations", params={"meter": "unknown"}, headers=headers).status_code
        for _ in range(LOOKUPS_PER_TOKEN.count + 2)
    ]
    assert codes == [404] * LOOKUPS_PER_TOKEN.count + [429, 429]
    # Another token of the same firm is not slowed down by it.
    with session_scope() as db:
        portal = portal_api_token(db, world.firm)
    again = httpx.get(
        f"{api_url}/api/installations",
        params={"meter": "unknown"},
        headers={"Authorization": f"Bearer {portal}"},
    )
    assert again.status_code == 404


def test_the_installer_side_turns_answers_into_status_100_and_201(api_url, app_world):
    world, suffix, token = app_world
    found = fetch_installation(
        api_url, token, meter=f"AID70000001{suffix}", grid_company_id=world.grid, language="en"
    )
    assert found.status_code == COMPLETED
    assert found.status_text == "Fetch installation data completed without problems"
    assert found.data["installation_address"] == "Storgata 1" and found.data["ean"] == ean_for(suffix)
    missing = fetch_installation(api_url, token, ean="707057500000090002")
    assert missing.status_code == FAILED
    assert (
        missing.status_text == "Request failed with http status code 404 (NotFound): Installation not found"
    )
    refused = fetch_installation(api_url, "wrong", meter="x")
    assert refused.status_code == FAILED and "401 (Unauthorized)" in refused.status_text


def test_an_unreachable_api_is_status_201_not_an_error():
    result = fetch_installation(f"http://127.0.0.1:{free_port()}", "t", meter="x")
    assert result.status_code == FAILED and result.status_text.startswith("Request failed")


def test_bad_tokens_are_bounded_per_address_and_their_log_does_not_grow(api_url, app_world):
    """Issue 20.11: 500 calls with bad tokens wrote 500 rows, all 401, never 429."""
    _world, suffix, token = app_world
    attacker = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.3.5"))
    with attacker:
        codes = [
            attacker.get(
                f"{api_url}/api/installations",
                params={"meter": f"AID{n}{suffix}"},
                headers={"Authorization": f"Bearer guess-{n}"},
            ).status_code
            for n in range(500)
        ]
        assert codes == [401] * BAD_TOKENS_PER_ADDRESS.count + [429] * (500 - BAD_TOKENS_PER_ADDRESS.count)
        # Once over the bound, that address is answered 429 before any token is looked at.
        valid = attacker.get(
            f"{api_url}/api/installations",
            params={"meter": f"AID70000001{suffix}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert valid.status_code == 429
    with session_scope() as db:
        rows = db.exec(
            select(InstallationApiCall).where(InstallationApiCall.client_address == "127.0.3.5")
        ).all()
    assert len(rows) == 2 and sum(row.repeats for row in rows) == 501
    assert {row.status_code for row in rows} == {401, 429}
    # Another address is not slowed down.
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.3.6")) as other:
        answer = other.get(
            f"{api_url}/api/installations",
            params={"meter": f"AID70000001{suffix}"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200


def test_behind_proxies_the_bound_counts_the_address_the_proxy_saw(monkeypatch):
    """The bad-token bound must count callers, not the load balancer (TRUSTED_PROXY_HOPS)."""
    from starlette.requests import Request

    from app import api as api_module
    from app.config import Settings

    def request(forwarded: str) -> Request:
        return Request(
            {
                "type": "http",
                "method": "GET",
                "path": "/api/installations",
                "query_string": b"",
                "headers": [(b"x-forwarded-for", forwarded.encode())],
                "client": ("10.0.0.1", 5000),
            }
        )

    monkeypatch.setattr(api_module, "settings", Settings(trusted_proxy_hops="1"))
    assert api_module.client_address(request("6.6.6.6, 127.0.3.7")) == "127.0.3.7"
    assert api_module.client_address(request("")) == "10.0.0.1"
    monkeypatch.setattr(api_module, "settings", Settings(trusted_proxy_hops=""))
    assert api_module.client_address(request("127.0.3.7")) == "10.0.0.1"
