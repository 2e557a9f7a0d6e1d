"""The world a test builds for itself: its own customer, meter and relationship, its own e-mail
account and organisation, made here and nowhere else (issue 22.10, 22.12).

A test that signs in by SMS, orders a HAN port, shares access or creates an account does it as a
customer no other test knows, so no run order spends its limits or changes what it finds. The
demo data the browser tests' app starts with stays what it is for every test: the demo grid
company's settings and the demo meters' three years of readings, which a new relationship on such
a meter reads (``new_customer(on_meter_of=...)``) as the demo customer's own does.

Sessions, accounts, grants and orders are made through the services. Customers, meters and
relationships come from the utility's own systems: no service of the portal creates them, so
they are written here, as ``app/demo`` writes its own.
"""

from __future__ import annotations

import functools
import random
import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select
from stdnum import ean

from app.db import session_scope
from app.models import (
    Customer,
    CustomerRelationship,
    Medium,
    Meter,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from app.services.mobile_numbers import normalise_mobile
from app.services.passwords import hash_password
from app.services.sessions import start_session

DEMO_GRID = "912345678"  # Lysnett AS, the demo grid company (app/demo)
DEMO_HEAT = "923456789"  # Fjordvarme AS

_random = random.SystemRandom()


def new_tag() -> str:
    return uuid.uuid4().hex[:10]


def new_mobile() -> str:
    """A Norwegian mobile number (E.164) no demo customer has: the demo's start with 4."""
    return f"+479{_random.randrange(10**7):07d}"


def new_metering_point_id() -> str:
    """An 18-digit GSRN with its check digit, outside the demo's range (…0000010xx)."""
    body = f"70705750{_random.randrange(10**8, 10**9):09d}"
    return body + ean.calc_check_digit(body)


_UNIT_PREFIXES = iter(_random.sample(range(1000, 10000), 9000))


def new_unit_prefix() -> str:
    """``KAM`` and four digits no other test of this session has: its units' serials add four more."""
    return f"KAM{next(_UNIT_PREFIXES)}"


@dataclass(frozen=True)
class NewCustomer:
    customer_id: int
    relationship_id: int
    meter_id: int
    meter_serial: str
    name: str
    mobile: str  # E.164
    installation_number: str
    metering_point_id: str


def organisation_by_number(db: Session, org_number: str) -> int:
    return db.exec(select(Organisation.id).where(Organisation.org_number == org_number)).one() or 0


def demo_relationship(db: Session, medium: str) -> CustomerRelationship:
    """The first demo relationship with a meter of ``medium`` (one with readings): the demo's
    relationships are the app's first."""
    relationship = db.exec(
        select(CustomerRelationship)
        .join(Meter, col(Meter.id) == CustomerRelationship.meter_id)
        .where(Meter.medium == medium)
        .order_by(col(CustomerRelationship.id))
    ).first()
    assert relationship is not None, f"no demo relationship with a {medium} meter"
    db.expunge(relationship)
    return relationship


def add_customer(
    db: Session,
    *,
    medium: str = Medium.ELECTRICITY,
    on_meter_of: CustomerRelationship | None = None,
    utility_id: int | None = None,
    is_owner: bool = True,
    customer_id: int | None = None,
    name: str | None = None,
    mobile: str | None = None,
    metering_point_id: str | None = None,
) -> NewCustomer:
    """A customer of their own with one relationship, in ``db`` (flushed, not committed).

    ``on_meter_of``: the relationship is on that relationship's meter (its readings and roll-ups),
    at its utility, address, bidding zone and supplier mark-up, and the customer has that
    customer's name; otherwise on a new meter without readings, at Storgata 1, 7010 Trondheim.
    ``customer_id``: another relationship of that customer (one mobile, two installations).
    """
    tag = new_tag()
    if customer_id is None:
        if name is None and on_meter_of is not None:  # as the demo customer is named (the header's width)
            name = db.exec(select(Customer.name).where(Customer.id == on_meter_of.customer_id)).one()
        customer = Customer(name=name or f"Kari Test {tag[:4]}", mobile=mobile or new_mobile())
        db.add(customer)
        db.flush()
    else:
        customer = db.get(Customer, customer_id)
        assert customer is not None
    if on_meter_of is not None:
        meter = db.get(Meter, on_meter_of.meter_id)
        assert meter is not None
        utility = on_meter_of.utility_id
    else:
        utility = utility_id or organisation_by_number(db, DEMO_HEAT if medium == Medium.HEAT else DEMO_GRID)
        meter = Meter(
            serial=f"TST{tag[:9].upper()}",
            manufacturer="Aidon",
            model="6525",
            medium=medium,
            han_capable=medium == Medium.ELECTRICITY,
            owner_id=utility,
        )
        db.add(meter)
        db.flush()
    relationship = CustomerRelationship(
        customer_id=customer.id or 0,
        utility_id=utility,
        installation_number=f"{_random.randrange(10**7, 10**8)}",
        metering_point_id=metering_point_id or new_metering_point_id(),
        address=on_meter_of.address if on_meter_of else "Storgata 1",
        postcode=on_meter_of.postcode if on_meter_of else "7010",
        city=on_meter_of.city if on_meter_of else "Trondheim",
        meter_id=meter.id,
        is_owner=is_owner,
        bidding_zone=on_meter_of.bidding_zone if on_meter_of else "",
        supplier_markup_kr_per_kwh=on_meter_of.supplier_markup_kr_per_kwh if on_meter_of else None,
    )
    db.add(relationship)
    db.flush()
    return NewCustomer(
        customer_id=customer.id or 0,
        relationship_id=relationship.id or 0,
        meter_id=meter.id or 0,
        meter_serial=meter.serial,
        name=customer.name,
        mobile=normalise_mobile(customer.mobile) or "",
        installation_number=relationship.installation_number,
        metering_point_id=relationship.metering_point_id,
    )


def new_customer(medium: str = Medium.ELECTRICITY, *, with_data: bool = False, **options) -> NewCustomer:
    """``add_customer`` in the app's database, committed; ``with_data``: on the first demo meter of
    ``medium``, whose three years of readings the charts show."""
    with session_scope() as db:
        if with_data:
            options["on_meter_of"] = demo_relationship(db, medium)
        return add_customer(db, medium=medium, **options)


@dataclass(frozen=True)
class NewAccount:
    user_id: int
    email: str
    organisation_id: int | None


def add_account(
    db: Session,
    role: Role,
    *,
    organisation_id: int | None = None,
    organisation_number: str | None = None,
    name: str | None = None,
    password: str | None = None,
) -> NewAccount:
    """An e-mail account of ``role`` of its own, in ``organisation_id`` (or the organisation with
    ``organisation_number``, e.g. ``DEMO_GRID``), signing in with ``password``; flushed, not
    committed."""
    if organisation_number is not None:
        organisation_id = organisation_by_number(db, organisation_number)
    tag = new_tag()
    user = User(
        email=f"{role.value}-{tag}@example.org",
        name=name or f"Test {role.value} {tag[:4]}",
        role=role.value,
        organisation_id=organisation_id,
        password_hash=_password_hash(password) if password else None,
    )
    db.add(user)
    db.flush()
    return NewAccount(user_id=user.id or 0, email=user.email, organisation_id=organisation_id)


@functools.cache
def _password_hash(password: str) -> str:
    """One argon2 hash per password a test session uses (0.3-2 s each): accounts that sign in
    with the same password may share it, as any two salted hashes of it verify alike."""
    return hash_password(password)


def add_organisation(db: Session, kind: OrganisationKind, name: str | None = None) -> int:
    organisation = Organisation(name=name or f"Test {kind.value} {new_tag()[:6]}", kind=kind.value)
    db.add(organisation)
    db.flush()
    return organisation.id or 0


def customer_session(db: Session, customer: NewCustomer) -> str:
    """A session of ``customer`` on its relationship, as the SMS sign-in would have left it."""
    return start_session(db, Role.CUSTOMER, relationship_id=customer.relationship_id)
