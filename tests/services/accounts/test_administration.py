"""Access requests (ask, approve, decline, told by e-mail), listing and deactivating accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from account_factories import NOW
from sqlmodel import select

from app.models import (
    AccessRequest,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Role,
    User,
    UserSession,
)
from app.services import passwords
from app.services.accounts.accounts import login
from app.services.accounts.administration import (
    approve_request,
    deactivate_account,
    decline_request,
    list_accounts,
    pending_requests,
    request_access,
)
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.notify.mail import latest_mail_to
from app.services.sessions import find_live_session, resolve_principal

PASSWORD = "Fjord#Blueberry26"


def _account(db, email: str, role: Role, organisation_id: int | None = None, name: str = "") -> User:
    user = User(
        email=email,
        name=name,
        role=role.value,
        organisation_id=organisation_id,
        password_hash=passwords.hash_password(PASSWORD),
    )
    db.add(user)
    db.commit()
    return user


def _principal(db, email: str) -> Caller:
    token = login(db, email, PASSWORD, now=NOW).session_token
    principal = resolve_principal(db, token, now=NOW)
    assert principal is not None
    return principal


@pytest.fixture
def admin(db) -> Caller:
    _account(db, "admin@example.org", Role.ADMIN)
    return _principal(db, "admin@example.org")


@pytest.fixture
def distributor_org(db) -> Organisation:
    org = Organisation(name="Måleservice AS", kind=OrganisationKind.DISTRIBUTOR.value)
    db.add(org)
    db.commit()
    return org


def _ask(db, email="dina@example.org", role=Role.DISTRIBUTOR, org_name="Måleservice AS"):
    _account(db, email, Role.REGISTERED, name="Dina Strand")
    principal = _principal(db, email)
    request = request_access(db, principal, role.value, org_name, "")
    db.commit()
    return principal, request


def test_a_registered_person_asks_and_the_administrator_approves_into_a_chosen_organisation(
    db, admin, distributor_org
):
    asker, request = _ask(db)
    assert [row.email for row in pending_requests(db, admin)] == ["dina@example.org"]
    user = approve_request(db, admin, request.id, organisation_id=distributor_org.id, now=NOW)
    assert (user.role, user.organisation_id) == (Role.DISTRIBUTOR.value, distributor_org.id)
    assert pending_requests(db, admin) == []
    # The old session kept the old role: it ends, and the next sign-in carries the new one.
    assert db.get(UserSession, asker.session_id).revoked_at is not None
    assert db.get(AccessRequest, request.id).status == "approved"
    mail = latest_mail_to(db, "dina@example.org")
    assert mail.subject == "Tilgangen din er godkjent" and "Måleservice AS" in mail.body
    assert login(db, "dina@example.org", PASSWORD, now=NOW).role is Role.DISTRIBUTOR


def test_approval_can_create_the_organisation_of_the_right_kind(db, admin):
    _, request = _ask(db, role=Role.INSTALLER, org_name="Elektro Nord AS")
    user = approve_request(db, admin, request.id, new_organisation_name="Elektro Nord AS", now=NOW)
    organisation = db.get(Organisation, user.organisation_id)
    assert (organisation.name, organisation.kind) == ("Elektro Nord AS", "installer_firm")


def test_approval_refuses_an_organisation_of_the_wrong_kind(db, admin, distributor_org):
    _, request = _ask(db, role=Role.GRID_STAFF, org_name="Lysnett")
    with pytest.raises(FieldErrors) as caught:
        approve_request(db, admin, request.id, organisation_id=distributor_org.id, now=NOW)
    assert caught.value.errors == {"organisation": "access.organisation_kind"}


def test_decline_needs_a_reason_and_mails_it(db, admin):
    _, request = _ask(db)
    with pytest.raises(FieldErrors):
        decline_request(db, admin, request.id, "  ", now=NOW)
    decline_request(db, admin, request.id, "Ukjent organisasjon", now=NOW)
    mail = latest_mail_to(db, "dina@example.org")
    assert "Ukjent organisasjon" in mail.body
    assert db.exec(select(User).where(User.email == "dina@example.org")).one().role == "registered"
    with pytest.raises(DomainError) as caught:
        approve_request(db, admin, request.id, new_organisation_name="X", now=NOW)
    assert caught.value.key == "access.not_pending"


def test_a_request_needs_a_role_and_an_organisation_or_customer_number(db):
    _account(db, "dina@example.org", Role.REGISTERED)
    principal = _principal(db, "dina@example.org")
    with pytest.raises(FieldErrors) as caught:
        request_access(db, principal, "admin", "", "  ")
    assert caught.value.errors == {
        "requested_role": "access.role_required",
        "organisation_name": "access.organisation_required",
    }
    assert request_access(db, principal, "grid_staff", "", "12345")
    with pytest.raises(DomainError) as caught:
        request_access(db, principal, "grid_staff", "", "12345")
    assert caught.value.key == "access.already_pending"


def test_only_a_registered_account_without_organisation_may_ask(db, distributor_org):
    _account(db, "dina@example.org", Role.DISTRIBUTOR, distributor_org.id)
    with pytest.raises(AccessDenied):
        request_access(db, _principal(db, "dina@example.org"), "installer", "X", "")


@pytest.mark.parametrize("role", [Role.REGISTERED, Role.DISTRIBUTOR, Role.GRID_STAFF, Role.INSTALLER])
def test_administration_services_refuse_every_other_role(db, role):
    _account(db, "someone@example.org", role)
    principal = _principal(db, "someone@example.org")
    for call in (
        lambda: pending_requests(db, principal),
        lambda: list_accounts(db, principal),
        lambda: approve_request(db, principal, 1, new_organisation_name="X"),
        lambda: decline_request(db, principal, 1, "no"),
        lambda: deactivate_account(db, principal, 1),
    ):
        with pytest.raises(AccessDenied):
            call()


def test_list_accounts_searches_filters_and_pages(db, admin, distributor_org):
    for n in range(30):
        _account(db, f"user{n:02d}@example.org", Role.INSTALLER, name=f"Installer {n}")
    _account(db, "dina@example.org", Role.DISTRIBUTOR, distributor_org.id, name="Dina Strand")
    rows, total = list_accounts(db, admin, search="STRAND")
    assert total == 1 and rows[0].organisation == "Måleservice AS"
    rows, total = list_accounts(db, admin, organisation_id=distributor_org.id)
    assert [r.email for r in rows] == ["dina@example.org"]
    rows, total = list_accounts(db, admin, role="installer", page=2, page_size=25)
    assert total == 30 and len(rows) == 5 and rows[0].email == "user25@example.org"


def test_deactivating_ends_the_sessions_at_once_and_blocks_sign_in(db, admin):
    _account(db, "gro@example.org", Role.GRID_STAFF)
    signed_in = login(db, "gro@example.org", PASSWORD, now=NOW)
    deactivate_account(db, admin, signed_in.user_id, now=NOW)
    assert find_live_session(db, signed_in.session_token, now=NOW + timedelta(seconds=1)) is None
    with pytest.raises(DomainError) as caught:
        login(db, "gro@example.org", PASSWORD, now=NOW)
    assert caught.value.key == "account.bad_credentials"
    rows, _ = list_accounts(db, admin, search="gro@")
    assert rows[0].is_active is False


def test_an_administrator_cannot_deactivate_themself(db, admin):
    with pytest.raises(DomainError) as caught:
        deactivate_account(db, admin, admin.user_id, now=NOW)
    assert caught.value.key == "admin.cannot_deactivate_self"


def test_no_mail_goes_out_when_the_request_is_not_decided(db, admin):
    _ask(db)
    assert db.exec(select(OutboxMessage)).all() == []
