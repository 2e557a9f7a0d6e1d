"""Each browser test connects from an address of its own (tests/e2e/conftest.py): the app counts
sign-in attempts and SMS per client address, and a test's must not be spent by those before it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from app import routes
from app.db import session_scope
from app.i18n import translate
from app.models import Medium, PrivacyConsent
from tests.factories import new_customer

pytestmark = pytest.mark.e2e


def test_the_app_sees_this_tests_own_client_address(phone_page: Page, base_url: str, client_address: str):
    customer = new_customer(Medium.ELECTRICITY)
    phone_page.goto(base_url + routes.CUSTOMER_LOGIN)
    phone_page.get_by_role("tab", name=translate("customer.first_time")).click()
    phone_page.get_by_label(translate("customer.installation_number"), exact=True).fill(
        customer.installation_number
    )
    phone_page.get_by_label(translate("customer.metering_point_id"), exact=True).fill(
        customer.metering_point_id
    )
    phone_page.get_by_label(translate("customer.mobile"), exact=True).fill(customer.mobile)
    phone_page.get_by_label(translate("customer.consent"), exact=True).click()
    phone_page.get_by_role("button", name=translate("customer.send_code")).click()
    expect(phone_page.get_by_text(translate("customer.code_sent_to"))).to_be_visible()
    with session_scope() as db:
        seen = db.exec(
            select(PrivacyConsent.client_address).where(
                PrivacyConsent.relationship_id == customer.relationship_id
            )
        ).all()
    assert client_address.startswith("127.0.0.") and client_address != "127.0.0.1"
    assert seen == [client_address]
