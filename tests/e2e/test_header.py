"""The header fits every role's sections at 1440 px and at 375 px: nothing past the right edge
(issue 21.8: the administrator's twelve links pushed the language and sign-out off the screen)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from app import routes
from app.demo import DEMO_ACCOUNTS
from app.i18n import translate
from app.models import Medium, Role
from app.navigation import entries_for
from app.states.session import MAX_INLINE_NAV
from tests.e2e.conftest import DESKTOP, PHONE, first_relationship, sign_in, sign_in_demo_account
from tests.e2e.test_accessibility import blocking_violations

pytestmark = pytest.mark.e2e

DEMO_ROLES = {account.role for account in DEMO_ACCOUNTS}
ROLES = [Role.CUSTOMER, Role.REGISTERED, *sorted(DEMO_ROLES, key=str)]
GUTTER = 8


def _signed_in(browser: Browser, base_url: str, role: Role, viewport: dict[str, int]) -> Page:
    extra = {"is_mobile": True, "has_touch": True} if viewport is PHONE else {}
    context = browser.new_context(viewport=viewport, **extra)
    context.set_default_timeout(20_000)
    page = context.new_page()
    if role in DEMO_ROLES:
        sign_in_demo_account(page, role)
    else:
        relationship_id = first_relationship(Medium.ELECTRICITY)[0] if role is Role.CUSTOMER else None
        sign_in(page, role, relationship_id)
    page.goto(base_url + routes.HOME)
    return page


def _right_edges(page: Page) -> list[tuple[str, float]]:
    """Every visible control of the header and how far its right edge reaches."""
    return page.evaluate(
        """() => [...document.querySelectorAll('header button, header a, header [role=combobox]')]
            .filter(el => el.getClientRects().length > 0)
            .map(el => { const box = el.getBoundingClientRect();
                         return [el.textContent.trim() || el.getAttribute('aria-label') || el.tagName,
                                 box.right]; })"""
    )


@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_header_fits_every_roles_menu(browser: Browser, base_url: str, role: Role, size: str):
    viewport = DESKTOP if size == "desktop" else PHONE
    page = _signed_in(browser, base_url, role, viewport)
    account = page.get_by_role("banner").get_by_role("button").last
    expect(account).to_be_visible()
    entries = entries_for(role)
    if size == "desktop":
        # The sections are in the header: a link each, or (beyond the first few) under "More".
        nav = page.get_by_role("navigation", name=translate("nav.sections"))
        expect(nav).to_be_visible()
        inline = entries if len(entries) <= MAX_INLINE_NAV else entries[: MAX_INLINE_NAV - 1]
        for entry in inline:
            expect(nav.get_by_role("link", name=translate(entry.label_key), exact=True)).to_be_visible()
        if len(entries) > MAX_INLINE_NAV:
            page.locator("#nav-more").focus()
            page.keyboard.press("Enter")
            menu = page.get_by_role("menu")
            for entry in entries[MAX_INLINE_NAV - 1 :]:
                expect(menu.get_by_role("menuitem", name=translate(entry.label_key))).to_be_visible()
            assert blocking_violations(page) == []
            page.keyboard.press("Escape")
            expect(page.locator("#nav-more")).to_be_focused()
    edges = _right_edges(page)
    assert edges, "no header controls"
    too_far = [(name, right) for name, right in edges if right > viewport["width"] - GUTTER]
    assert too_far == [], f"{role} at {viewport['width']} px"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.context.close()
