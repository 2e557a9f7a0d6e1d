"""The landing page explains the portals and links to their sign-in pages."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from app import routes
from app.i18n import translate
from tests.e2e.conftest import choose_language, has_horizontal_overflow

pytestmark = pytest.mark.e2e

PORTAL_LINKS = {
    "portal.customer.link": routes.CUSTOMER_LOGIN,
    "portal.keys.link": routes.KEYS_LOGIN,
    "portal.installer.link": routes.INSTALLER_LOGIN,
    # HAN port orders live on Min side: a visitor is sent to sign in first, then comes back.
    "portal.han.link": routes.CUSTOMER_HAN,
}


def test_landing_page_on_a_phone_links_to_every_portal(phone_page: Page, base_url: str, tmp_path):
    phone_page.goto(base_url + routes.HOME)
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(translate("landing.title"))
    for key, route in PORTAL_LINKS.items():
        link = phone_page.get_by_role("link", name=translate(key))
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", re.compile(re.escape(route) + "/?$"))
    assert not has_horizontal_overflow(phone_page)
    shots = os.environ.get("SCREENSHOT_DIR", str(tmp_path))
    phone_page.screenshot(path=f"{shots}/landing-375.png", full_page=True)


def test_portal_link_opens_its_sign_in_page(phone_page: Page, base_url: str):
    phone_page.goto(base_url + routes.HOME)
    phone_page.get_by_role("link", name=translate("portal.installer.link")).click()
    expect(phone_page).to_have_url(re.compile(re.escape(routes.INSTALLER_LOGIN)))
    # The installer portal signs in by e-mail account (issue 13): its own sign-in page.
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text(translate("portal.installer.title"))
    expect(phone_page.get_by_label(translate("accounts.email"))).to_be_visible()


def test_language_switch_to_english(desktop_page: Page, base_url: str):
    desktop_page.goto(base_url + routes.HOME)
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text(translate("landing.title"))
    choose_language(desktop_page, "nb", "en")
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text(translate("landing.title", "en"))
    assert not has_horizontal_overflow(desktop_page)


def test_visitor_sees_no_portal_navigation_or_sign_out(desktop_page: Page, base_url: str):
    desktop_page.goto(base_url + routes.HOME)
    expect(desktop_page.get_by_role("heading", level=1)).to_be_visible()
    expect(desktop_page.get_by_role("button", name=translate("nav.logout"))).to_have_count(0)
    expect(desktop_page.get_by_role("link", name=translate("nav.keys"))).to_have_count(0)


def test_favicon_is_served(desktop_page: Page, base_url: str):
    response = desktop_page.request.get(base_url + "/favicon.ico")
    assert response.status == 200
    assert response.body()[:4] == b"\x00\x00\x01\x00"


@pytest.mark.parametrize(
    ("link_key", "heading_key"),
    [("footer.privacy", "privacy.title"), ("footer.accessibility", "about.accessibility_title")],
)
def test_footer_links_lead_to_real_pages(phone_page: Page, base_url: str, link_key: str, heading_key: str):
    """The footer named privacy and accessibility as plain text: nothing behind them."""
    phone_page.goto(base_url + routes.HOME)
    phone_page.get_by_role("contentinfo").get_by_role("link", name=translate(link_key)).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(translate(heading_key))


def test_an_unknown_address_gets_a_page_in_the_portals_language(phone_page: Page, base_url: str):
    """Reflex's own 404 said "404: Page not found" in English, outside the portal's frame."""
    phone_page.goto(base_url + "/finnes-ikke")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(translate("not_found.title"))
    phone_page.get_by_role("link", name=translate("not_found.home")).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(translate("landing.title"))


def test_the_page_language_is_the_one_chosen(desktop_page: Page, base_url: str):
    """<html lang="en"> on Norwegian pages: a screen reader read bokmål with English rules."""
    desktop_page.goto(base_url + routes.HOME)
    expect(desktop_page.locator("html")).to_have_attribute("lang", "nb")
    choose_language(desktop_page, "nb", "sv")
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text(translate("landing.title", "sv"))
    expect(desktop_page.locator("html")).to_have_attribute("lang", "sv")
    choose_language(desktop_page, "sv", "nb")
    expect(desktop_page.locator("html")).to_have_attribute("lang", "nb")


def test_the_tab_title_follows_the_readers_language(desktop_page: Page, base_url: str):
    """The browser tab's title (what a screen reader announces first) in nb, sv and en."""
    # "commit": the first page of a cold dev server can take longer than a goto's load waits.
    desktop_page.goto(base_url + routes.PRIVACY, wait_until="commit")
    expect(desktop_page).to_have_title(translate("title.privacy", "nb"), timeout=60_000)
    current = "nb"
    for language in ("sv", "en", "nb"):
        choose_language(desktop_page, current, language)
        expect(desktop_page.locator("html")).to_have_attribute("lang", language)
        expect(desktop_page).to_have_title(translate("title.privacy", language))
        assert desktop_page.evaluate("document.title") == translate("title.privacy", language)
        current = language
    # Another page opened afterwards speaks the language chosen last.
    desktop_page.goto(base_url + routes.KEYS_LOGIN)
    expect(desktop_page).to_have_title(translate("title.keys_login", "nb"))
