"""The page registry: every page declares a translated title and its roles; the menu reads them."""

from __future__ import annotations

import pytest

from app import routes
from app.i18n import LANGUAGES
from app.models import Role
from app.navigation import NAV_ENTRIES, entries_for, login_page_for
from app.page_registry import PAGES


def test_every_page_is_registered_with_a_title_in_nb_sv_and_en():
    assert len(PAGES) >= 33
    for page in PAGES.values():
        titles = {language: LANGUAGES[language].get(page.title_key) for language in ("nb", "sv", "en")}
        assert all(titles.values()), page.route
    # The tab a Swedish or English reader sees is not Norwegian.
    key = PAGES[routes.KEYS_AUDIT].title_key
    assert (LANGUAGES["nb"][key], LANGUAGES["sv"][key], LANGUAGES["en"][key]) == (
        "Logg for nøkler",
        "Logg för nycklar",
        "Key audit log",
    )


def test_every_menu_entry_is_a_protected_page():
    for entry in NAV_ENTRIES:
        assert not PAGES[entry.route].public, entry.route


@pytest.mark.parametrize(
    ("role", "menu"),
    [
        (Role.KEY_READER, [routes.KEYS_READER]),
        (Role.DISTRIBUTOR, [routes.KEYS_HOME, routes.KEYS_IMPORT, routes.KEYS_AUDIT]),
        (Role.REGISTERED, [routes.ACCOUNT_ACCESS]),
        (None, []),
    ],
)
def test_the_menu_shows_the_pages_that_admit_the_role(role, menu):
    assert [entry.route for entry in entries_for(role)] == menu


def test_an_administrator_sees_every_page_but_the_access_request_and_the_key_service():
    shown = {entry.route for entry in entries_for(Role.ADMIN)}
    key_pages = {routes.KEYS_HOME, routes.KEYS_IMPORT, routes.KEYS_AUDIT, routes.KEYS_READER}
    assert shown == {entry.route for entry in NAV_ENTRIES} - {routes.ACCOUNT_ACCESS} - key_pages


def test_public_pages_never_send_to_a_sign_in_page():
    for page in PAGES.values():
        if page.public:
            assert login_page_for(page.route) == routes.HOME, page.route
