"""Every customer-portal service, called with another customer's principal, leaks nothing.

Customer B is a different person (different mobile) with an account; A tries to reach B's
relationship through every function, and with principals forged to point at B.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from customer_factories import T0, principal_of, sign_in_by_sms
from sqlmodel import select

from app.models import AccountRelationship, AuditEntry, Role, UserSession
from app.services.caller import Caller
from app.services.customer.accounts import (
    account_profile,
    change_password,
    create_account,
    delete_account,
)
from app.services.customer.relationships import (
    customer_overview,
    link_relationship,
    list_relationships,
    relationship_needs_linking,
    switch_relationship,
    unlink_relationship,
)
from app.services.errors import AccessDenied
from app.services.sessions import revoke_session

GOOD = "Blåbærsyltetøy på vaffel"


@pytest.fixture
def customers(db, make_customer):
    a = make_customer(name="Anne A", mobile="+47 911 11 111")
    b = make_customer(name="Bjørn B", mobile="+47 922 22 222")
    a_token = sign_in_by_sms(db, a).session_token
    a_principal = create_account(db, principal_of(db, a_token), GOOD, GOOD, now=T0)
    b_token = sign_in_by_sms(db, b, address="10.0.0.2").session_token
    b_principal = create_account(db, principal_of(db, b_token), GOOD, GOOD, now=T0)
    db.commit()
    return a, b, a_principal, b_principal, a_token


def _everything_about(customer) -> list[str]:
    return [
        customer.name,
        customer.installation_number,
        customer.metering_point_id,
        customer.meter_serial,
        customer.e164,
    ]


def test_a_principal_sees_only_its_own_customer(db, customers):
    a, b, a_principal, _, _ = customers
    shown = repr(
        [
            customer_overview(db, a_principal),
            list_relationships(db, a_principal),
            account_profile(db, a_principal),
            relationship_needs_linking(db, a_principal),
        ]
    )
    assert all(secret not in shown for secret in _everything_about(b))
    assert a.installation_number in shown


def test_reaching_for_another_customers_relationship_is_refused(db, customers):
    _, b, a_principal, _, _ = customers
    refusals_before = len(db.exec(select(AuditEntry).where(AuditEntry.action == "access.refused")).all())
    with pytest.raises(AccessDenied):
        switch_relationship(db, a_principal, b.relationship_id)
    with pytest.raises(AccessDenied):
        unlink_relationship(db, a_principal, b.relationship_id)
    refusals = db.exec(select(AuditEntry).where(AuditEntry.action == "access.refused")).all()
    assert len(refusals) == refusals_before + 2
    # B's link is untouched and A's session still points at A.
    assert db.exec(
        select(AccountRelationship).where(AccountRelationship.relationship_id == b.relationship_id)
    ).one()
    assert db.get(UserSession, a_principal.session_id).relationship_id != b.relationship_id


FORGERIES = {
    "b_relationship": lambda a_p, b_p, b: dataclasses.replace(a_p, relationship_id=b.relationship_id),
    "b_account": lambda a_p, b_p, b: dataclasses.replace(a_p, user_id=b_p.user_id),
    "b_relationship_and_account": lambda a_p, b_p, b: dataclasses.replace(
        a_p, user_id=b_p.user_id, relationship_id=b.relationship_id
    ),
    "not_a_customer": lambda a_p, b_p, b: dataclasses.replace(a_p, role=Role.INSTALLER),
    "no_such_session": lambda a_p, b_p, b: Caller(
        session_id=9999, role=Role.CUSTOMER, user_id=b_p.user_id, relationship_id=b.relationship_id
    ),
}

CALLS = {
    "customer_overview": lambda db, p, b: customer_overview(db, p),
    "list_relationships": lambda db, p, b: list_relationships(db, p),
    "relationship_needs_linking": lambda db, p, b: relationship_needs_linking(db, p),
    "account_profile": lambda db, p, b: account_profile(db, p),
    "link_relationship": lambda db, p, b: link_relationship(db, p),
    "unlink_relationship": lambda db, p, b: unlink_relationship(db, p, b.relationship_id),
    "switch_relationship": lambda db, p, b: switch_relationship(db, p, b.relationship_id),
    "create_account": lambda db, p, b: create_account(db, p, GOOD + "!", GOOD + "!"),
    "change_password": lambda db, p, b: change_password(db, p, GOOD, GOOD + "!", GOOD + "!"),
    "delete_account": lambda db, p, b: delete_account(db, p, GOOD),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
@pytest.mark.parametrize("call", sorted(CALLS))
def test_forged_principals_are_refused_by_every_function(db, customers, call, forgery):
    _, b, a_principal, b_principal, _ = customers
    principal = FORGERIES[forgery](a_principal, b_principal, b)
    with pytest.raises(AccessDenied):
        CALLS[call](db, principal, b)
    # B is intact.
    b_now = customer_overview(db, b_principal)
    assert b_now.installation_number == b.installation_number
    assert len(list_relationships(db, b_principal)) == 1


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_revoked_or_expired_session_is_refused(db, customers, call):
    _, b, a_principal, _, a_token = customers
    revoke_session(db, a_token)
    db.commit()
    with pytest.raises(AccessDenied):
        CALLS[call](db, a_principal, b)


def test_an_expired_session_is_refused(db, customers):
    _, _b, a_principal, _, _ = customers
    row = db.get(UserSession, a_principal.session_id)
    row.expires_at = T0 - timedelta(seconds=1)
    db.add(row)
    db.commit()
    with pytest.raises(AccessDenied):
        customer_overview(db, a_principal)
