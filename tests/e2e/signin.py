"""Putting a signed-in session into a browser page, as the sign-in page would have left it."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlmodel import select

from app.db import session_scope
from app.models import Role, User
from app.services.sessions import start_session
from tests.factories import new_customer

SESSION_KEY = "mp_session"  # rx.LocalStorage(name="mp_session") keeps the token under this key


def first_relationship(medium: str) -> tuple[int, int]:
    """(relationship id, meter id) of a customer of this test's own on the first demo meter of
    ``medium``: that meter's readings, the demo customer's name, no other test's sessions,
    orders or grants."""
    customer = new_customer(medium, with_data=True)
    return customer.relationship_id, customer.meter_id


def sign_in(page: Page, role: Role, relationship_id: int | None = None) -> None:
    """Every page this browser context opens from now on is signed in as ``role``."""
    with session_scope() as db:
        token = start_session(db, role, relationship_id=relationship_id)
    page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")


def sign_in_account(page: Page, email: str) -> int:
    """Every page this browser context opens is signed in as the e-mail account ``email``; returns its id."""
    with session_scope() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        token = start_session(db, Role(user.role), user_id=user.id)
        user_id = user.id or 0
    page.add_init_script(f"window.localStorage.setItem('{SESSION_KEY}', '{token}')")
    return user_id


def sign_in_demo_account(page: Page, role: Role) -> int:
    """Sign in as the demo e-mail account of ``role`` (with its organisation); returns its user id."""
    from app.demo import DEMO_ACCOUNTS

    return sign_in_account(page, next(account.email for account in DEMO_ACCOUNTS if account.role is role))
