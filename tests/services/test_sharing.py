"""Sharing a customer relationship (issue 27): granting, signing in as the other person, what the
one selector lets them see, revoking, giving back, expiry, the relationship's end, the limits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from customer_factories import T0, code_sent_to, principal_of, sign_in_by_sms
from sqlmodel import select

from app.clock import running_from
from app.models import AccessGrant, AuditEntry, CustomerRelationship, OutboxMessage, UserSession
from app.services.caller import Caller
from app.services.customer.accounts import account_profile
from app.services.customer.consumption.access import customer_meter
from app.services.customer.invoices import invoice_relationships
from app.services.customer.login import start_shared_login, verify_code
from app.services.customer.relationships import (
    customer_overview,
    leave_ended_share,
    list_relationships,
    switch_relationship,
)
from app.services.customer.sharing import (
    MAX_ACTIVE_GRANTS,
    GrantStatus,
    end_of_day,
    give_back,
    grant_access,
    list_grants,
    local_today,
    record_shared_view,
    revoke_grant,
    sweep_grants,
)
from app.services.customer.visibility import How, Scope, visible_relationships
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.han import orders as han_orders

GRANTEE = "+46 70 123 45 67"  # a Swedish mobile
GRANTEE_E164 = "+46701234567"


@pytest.fixture
def kari(db, make_customer):
    """Kari, signed in by SMS on her own relationship."""
    customer = make_customer()
    result = sign_in_by_sms(db, customer)
    return customer, principal_of(db, result.session_token)


def _share(db, owner: Caller, mobile: str = GRANTEE, **fields) -> int:
    fields.setdefault("consumption", True)
    fields.setdefault("invoices", False)
    grant_id = grant_access(db, owner, mobile=mobile, now=T0, **fields)
    db.commit()
    return grant_id


def _sign_in_grantee(db, mobile: str = GRANTEE_E164, address: str = "10.0.7.2") -> Caller:
    info = start_shared_login(db, mobile, address, now=T0)
    db.commit()
    result = verify_code(db, info.challenge_id, code_sent_to(db, mobile), address, now=T0)
    db.commit()
    return principal_of(db, result.session_token)


def test_a_grantee_signs_in_with_their_own_mobile_and_sees_the_consumption_marked_shared(db, kari):
    customer, owner = kari
    _share(db, owner)
    invitation = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == GRANTEE_E164)).one()
    assert "Kari" in invitation.body and "/min-side/logg-inn?delt=1" in invitation.body

    grantee = _sign_in_grantee(db)
    assert grantee.relationship_id == customer.relationship_id
    assert grantee.own_relationship_id is None and grantee.mobile == GRANTEE_E164
    listed = list_relationships(db, grantee)
    assert [(r.relationship_id, r.shared_by, r.is_current) for r in listed] == [
        (customer.relationship_id, "Kari", True)
    ]
    assert customer_meter(db, grantee).relationship_id == customer.relationship_id
    overview = customer_overview(db, grantee)
    assert overview.shared_by == "Kari" and overview.may_see_consumption


@pytest.mark.parametrize(
    "reach",
    [
        pytest.param(lambda db, c: account_profile(db, c), id="profile"),
        pytest.param(lambda db, c: han_orders.customer_meter(db, c), id="han-meter"),
        pytest.param(lambda db, c: han_orders.customer_orders(db, c), id="han-orders"),
        pytest.param(lambda db, c: list_grants(db, c, now=T0), id="sharing-list"),
        pytest.param(
            lambda db, c: grant_access(db, c, mobile="+4741234567", consumption=True, invoices=False, now=T0),
            id="sharing-further",
        ),
    ],
)
def test_a_grantee_never_reaches_the_owners_parts_of_a_shared_relationship(db, kari, reach):
    _, owner = kari
    _share(db, owner)
    grantee = _sign_in_grantee(db)
    with pytest.raises(AccessDenied) as refused:
        reach(db, grantee)
    assert refused.value.key == "sharing.not_shared"


def test_invoices_only_grant_does_not_show_consumption(db, kari):
    _, owner = kari
    _share(db, owner, consumption=False, invoices=True)
    grantee = _sign_in_grantee(db)
    row = db.get(UserSession, grantee.session_id)
    [visible] = visible_relationships(db, row, now=T0).values()
    assert visible.how is How.SHARED
    assert visible.allows(Scope.INVOICES) and not visible.allows(Scope.CONSUMPTION)
    with pytest.raises(AccessDenied):
        customer_meter(db, grantee)


def test_invoices_follow_the_grants_scope(db, kari, make_customer):
    customer, owner = kari
    _share(db, owner, consumption=False, invoices=True)
    grantee = _sign_in_grantee(db)
    assert invoice_relationships(db, grantee) == [customer.relationship_id]
    assert invoice_relationships(db, owner) == [customer.relationship_id]
    per = make_customer(name="Per Berg", mobile="913 33 333")
    per_owner = principal_of(db, sign_in_by_sms(db, per).session_token)
    _share(db, per_owner, consumption=True, invoices=False)
    on_pers = switch_relationship(db, grantee, per.relationship_id)
    db.commit()
    assert invoice_relationships(db, on_pers) == []  # Per shared consumption, not invoices


def test_revocation_refuses_the_grantees_next_event_and_signs_them_out(db, kari):
    customer, owner = kari
    grant_id = _share(db, owner)
    grantee = _sign_in_grantee(db)
    assert customer_meter(db, grantee).relationship_id == customer.relationship_id
    db.info.clear()  # a new tap: a new transaction

    revoke_grant(db, owner, grant_id, now=T0)
    db.commit()
    with pytest.raises(AccessDenied) as refused:
        customer_overview(db, grantee)
    assert refused.value.key == "sharing.access_ended"
    with pytest.raises(AccessDenied):
        customer_meter(db, grantee)
    assert leave_ended_share(db, grantee) is None  # nothing left to see: signed out
    db.commit()
    assert db.get(UserSession, grantee.session_id).revoked_at is not None
    [view] = list_grants(db, owner, now=T0)
    assert view.status == GrantStatus.REVOKED and view.stopped_at is not None
    with pytest.raises(DomainError):
        revoke_grant(db, owner, grant_id, now=T0)


def test_a_grant_expires_at_the_end_of_its_last_day(db, kari):
    customer, owner = kari
    today = local_today(T0)
    _share(db, owner, until=today.isoformat())
    grantee = _sign_in_grantee(db)
    assert customer_overview(db, grantee).shared_by == "Kari"
    after = end_of_day(today) + timedelta(seconds=1)
    session = db.get(UserSession, grantee.session_id)
    session.expires_at = after + timedelta(hours=1)  # the session itself outlives the grant
    db.add(session)
    db.commit()
    with running_from(after), pytest.raises(AccessDenied) as refused:
        customer_overview(db, grantee)
    assert refused.value.key == "sharing.access_ended"
    assert sweep_grants(db, after) == 1
    db.commit()
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "sharing.expired")).one()
    assert db.get(CustomerRelationship, customer.relationship_id).active


def test_a_grant_ends_with_its_relationship(db, kari):
    customer, owner = kari
    _share(db, owner)
    grantee = _sign_in_grantee(db)
    relationship = db.get(CustomerRelationship, customer.relationship_id)
    relationship.active = False
    db.add(relationship)
    db.commit()
    with pytest.raises(AccessDenied):
        customer_meter(db, grantee)
    assert sweep_grants(db, T0) == 1
    db.commit()
    grant = db.exec(select(AccessGrant)).one()
    assert grant.ended_at is not None
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "sharing.ended")).one()


def test_the_grantee_gives_back_and_moves_on_to_what_they_still_see(db, make_customer):
    first = make_customer(name="Kari Nordmann", mobile="912 34 567")
    second = make_customer(name="Per Berg", mobile="913 33 333")
    kari_owner = principal_of(db, sign_in_by_sms(db, first).session_token)
    per_owner = principal_of(db, sign_in_by_sms(db, second).session_token)
    _share(db, kari_owner)
    _share(db, per_owner)
    grantee = _sign_in_grantee(db)
    assert [r.shared_by for r in list_relationships(db, grantee)] == ["Kari", "Per"]
    moved = switch_relationship(db, grantee, second.relationship_id)  # one click, like their own
    db.commit()
    assert customer_overview(db, moved).shared_by == "Per"
    back = give_back(db, moved, now=T0)
    db.commit()
    assert back is not None and back.relationship_id == first.relationship_id
    assert [r.shared_by for r in list_relationships(db, back)] == ["Kari"]
    assert give_back(db, back, now=T0) is None  # the last one: signed out
    db.commit()
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.action == "sharing.given_back")).all()
    assert len(actions) == 2


def test_first_view_per_day_is_audited_once_and_shown_to_the_owner(db, kari):
    _, owner = kari
    _share(db, owner)
    grantee = _sign_in_grantee(db)
    assert record_shared_view(db, grantee, now=T0)
    assert not record_shared_view(db, grantee, now=T0 + timedelta(minutes=1))
    assert not record_shared_view(db, owner, now=T0)  # the owner's own looks are not "seen"
    db.commit()
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action == "sharing.viewed")).all()) == 1
    [view] = list_grants(db, owner, now=T0)
    assert view.last_seen_at is not None and view.status == GrantStatus.ACTIVE


@pytest.mark.parametrize(
    ("mobile", "fields", "error"),
    [
        ("+49 151 23456789", {}, {"mobile": "sharing.mobile_not_nordic"}),
        ("12", {}, {"mobile": "mobile.invalid"}),
        ("", {}, {"mobile": "form.required"}),
        ("912 34 567", {}, {"mobile": "sharing.not_yourself"}),
        (GRANTEE, {"consumption": False, "invoices": False}, {"scope": "sharing.choose_scope"}),
        (GRANTEE, {"until": "2099-01-01"}, {"until": "sharing.until_too_late"}),
        (GRANTEE, {"until": "2001-01-01"}, {"until": "sharing.until_past"}),
        (GRANTEE, {"until": "31.12"}, {"until": "sharing.until_invalid"}),
    ],
)
def test_grant_form_errors(db, kari, mobile, fields, error):
    _, owner = kari
    with pytest.raises(FieldErrors) as refused:
        _share(db, owner, mobile=mobile, **fields)
    assert refused.value.errors == error
    assert db.exec(select(AccessGrant)).all() == []


def test_a_grant_lasts_a_year_unless_chosen_and_at_most_two(db, kari):
    _, owner = kari
    today = local_today(T0)
    _share(db, owner)
    grant = db.exec(select(AccessGrant)).one()
    assert grant.until_date == _year_later(today, 1)
    last = _year_later(today, 2)
    _share(db, owner, mobile="+4741234567", until=last.isoformat())
    chosen = db.exec(select(AccessGrant).where(AccessGrant.grantee_mobile == "+4741234567")).one()
    assert chosen.until_date == last


def _year_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def test_at_most_ten_active_grants_and_one_per_mobile(db, kari, monkeypatch):
    _, owner = kari
    from app.services.customer import sharing

    monkeypatch.setattr(sharing, "within_limits", lambda *args, **kwargs: True)  # SMS limits apart
    mobiles = [f"+47412345{n:02d}" for n in range(MAX_ACTIVE_GRANTS)]
    for mobile in mobiles:
        _share(db, owner, mobile=mobile)
    with pytest.raises(FieldErrors) as repeated:
        _share(db, owner, mobile=mobiles[0])
    assert repeated.value.errors == {"mobile": "sharing.already_shared"}
    with pytest.raises(DomainError) as full:
        _share(db, owner, mobile="+4741299999")
    assert full.value.key == "sharing.too_many"
    revoke_grant(db, owner, db.exec(select(AccessGrant.id)).first(), now=T0)
    db.commit()
    _share(db, owner, mobile="+4741299999")  # a revoked one frees a place


def test_invitations_count_against_the_sms_limits(db, kari):
    _, owner = kari
    for _ in range(3):  # three SMS per mobile per 15 minutes
        grant_id = _share(db, owner)
        revoke_grant(db, owner, grant_id, now=T0)
        db.commit()
    with pytest.raises(DomainError) as limited:
        _share(db, owner)
    assert limited.value.key == "sms.too_many"


def test_a_mobile_with_nothing_shared_gets_the_same_answer_and_no_sms(db, kari):
    info = start_shared_login(db, "+4741234567", "10.0.7.3", now=T0)
    db.commit()
    assert info.masked_mobile.endswith("567")
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "+4741234567")).all() == []
    with pytest.raises(DomainError):
        verify_code(db, info.challenge_id, "123456", "10.0.7.3", now=T0)


def test_the_owner_and_the_grantee_keep_their_own_relationships_apart(db, make_customer):
    """Customer isolation with a grant in play: a grant of Kari's shows Ola nothing of hers
    but what it names, and Kari nothing of Ola's."""
    kari_customer = make_customer(name="Kari Nordmann", mobile="912 34 567")
    ola_customer = make_customer(name="Ola Hansen", mobile="+46 70 123 45 67")
    kari_owner = principal_of(db, sign_in_by_sms(db, kari_customer).session_token)
    ola_owner = principal_of(db, sign_in_by_sms(db, ola_customer).session_token)
    _share(db, kari_owner, mobile=ola_customer.mobile)
    ola_row = db.get(UserSession, ola_owner.session_id)
    visible = visible_relationships(db, ola_row, now=T0)
    assert visible[ola_customer.relationship_id].how is How.OWN
    assert visible[kari_customer.relationship_id].how is How.SHARED
    kari_row = db.get(UserSession, kari_owner.session_id)
    assert list(visible_relationships(db, kari_row, now=T0)) == [kari_customer.relationship_id]
    with pytest.raises(AccessDenied):
        switch_relationship(db, kari_owner, ola_customer.relationship_id)
    on_karis = switch_relationship(db, ola_owner, kari_customer.relationship_id)
    db.commit()
    with pytest.raises(AccessDenied):
        account_profile(db, on_karis)
    back = switch_relationship(db, on_karis, ola_customer.relationship_id)
    assert account_profile(db, back).has_account is False
