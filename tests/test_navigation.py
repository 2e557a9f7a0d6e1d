"""A signed-out visitor is sent to the sign-in page of the portal they tried, and back afterwards."""

from __future__ import annotations

import pytest

from app import routes
from app.models import Role
from app.navigation import entries_for, landing_after_login, login_page_for


@pytest.mark.parametrize(
    ("path", "sign_in"),
    [
        ("/min-side/forbruk", routes.CUSTOMER_LOGIN),
        ("/nokler/logg", routes.KEYS_LOGIN),
        ("/installator/anmelding?id=4", routes.INSTALLER_LOGIN),
        ("/saksbehandling/foranmeldinger", routes.STAFF_LOGIN),
        # The ingestion status is the operator's (administrator's) page (issue 20.14).
        ("/saksbehandling/innsamling", routes.ACCOUNT_LOGIN),
        ("/admin", routes.ACCOUNT_LOGIN),
    ],
)
def test_each_portal_page_names_its_own_sign_in_page(path, sign_in):
    assert login_page_for(path).startswith(f"{sign_in}?next=")
    assert landing_after_login(_role_of(sign_in, path), path) == path


def _role_of(sign_in: str, path: str) -> Role:
    return {
        routes.CUSTOMER_LOGIN: Role.CUSTOMER,
        routes.KEYS_LOGIN: Role.DISTRIBUTOR,
        routes.INSTALLER_LOGIN: Role.INSTALLER,
        routes.STAFF_LOGIN: Role.GRID_STAFF,
        routes.ACCOUNT_LOGIN: Role.ADMIN,
    }[sign_in]


def test_pages_outside_the_portals_go_home():
    assert login_page_for("/") == routes.HOME
    assert login_page_for("/min-sidexyz") == routes.HOME


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/min-side", "/\\evil.example", "", None, "min-side"],
)
def test_never_back_to_another_site(next_path):
    assert landing_after_login(Role.CUSTOMER, next_path) == routes.CUSTOMER_HOME


def test_never_to_a_page_the_role_may_not_open():
    assert landing_after_login(Role.CUSTOMER, "/nokler/logg") == routes.CUSTOMER_HOME
    assert landing_after_login(Role.KEY_READER, "/nokler/logg") == routes.KEYS_READER


@pytest.mark.parametrize(
    "next_path",
    [
        "/nokler/../admin",
        "/nokler/%2e%2e/admin",
        "/nokler/%2E%2E/admin",
        "/nokler/%252e%252e/admin",
        "/nokler/..%2fadmin",
        "/nokler/..%5cadmin",
        "/nokler/./../admin",
        "/nokler//admin",
        "/%2f%2fevil.example/nokler",
        "/nokler/..",
        "/nokler/%25252e%25252e/admin",
        "/nokler/\x00/admin",
    ],
)
def test_dot_segments_and_encoded_tricks_are_refused_before_the_prefix_check(next_path):
    """Issue 20.13: ``/nokler/../admin`` passed the prefix check and the browser went to /admin."""
    assert landing_after_login(Role.DISTRIBUTOR, next_path) == routes.KEYS_HOME


def test_a_plain_page_with_a_query_still_comes_back():
    assert landing_after_login(Role.DISTRIBUTOR, "/nokler/logg?side=2") == "/nokler/logg?side=2"


def test_an_administrator_is_offered_no_key_page():
    from app.navigation import entries_for

    routes_offered = {entry.route for entry in entries_for(Role.ADMIN)}
    assert routes.ADMIN_HOME in routes_offered
    assert not routes_offered & {routes.KEYS_HOME, routes.KEYS_IMPORT, routes.KEYS_AUDIT, routes.KEYS_READER}


def test_an_administrators_own_pages_lead_the_menu():
    """The header shows the first few entries and the rest under "More": an administrator's
    administration comes before the customer and staff pages it may also open."""
    entries = [entry.route for entry in entries_for(Role.ADMIN)]
    assert entries[:2] == [routes.STAFF_INGEST, routes.ADMIN_HOME]
    assert entries.index(routes.ADMIN_HOME) < entries.index(routes.CUSTOMER_HOME)
