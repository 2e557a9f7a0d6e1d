"""The demo generator: complete, realistic, deterministic, and safe to run twice."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from app.config import Settings
from app.db import make_engine
from app.demo import (
    CUSTOMER_COUNT,
    METER_COUNT,
    SEED,
    consumption_size,
    demo_logins,
    demo_readings,
    generate_demo,
    print_logins,
)
from app.migrate import upgrade_to_head
from app.models import (
    Customer,
    CustomerRelationship,
    Medium,
    Meter,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Reading,
    Role,
    User,
)
from app.services.consumption.rollups import rebuild_all_consumption
from app.services.notify import mail, sms
from tests.local_servers import free_port

UNTIL = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
HOURS_IN_THREE_YEARS = 26_304  # 2023-11-23 14:00 .. 2026-11-23 14:00, one leap day


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    # As `make demo` with MAIL_BACKEND=smtp and no server listening (issue 21 point 2: it used to
    # exit with MailDeliveryError and leave an empty database).
    unreachable = Settings(mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=free_port())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mail, "settings", unreachable)
        patch.setattr(sms, "settings", Settings(sms_backend="twilio", twilio_api_base="http://127.0.0.1:9"))
        generate_demo(engine, until=UNTIL)
    yield engine
    engine.dispose()


def test_the_demo_queues_its_mails_and_sends_none(demo_engine):
    with Session(demo_engine) as db:
        queued = db.exec(select(OutboxMessage)).all()
    assert queued and {m.status for m in queued} == {OutboxStatus.PENDING.value}
    assert "installer@demo.meterportal.no" in {m.recipient for m in queued}  # staff decisions


def test_master_data_counts(demo_engine):
    with Session(demo_engine) as db:
        kinds = Counter(o.kind for o in db.exec(select(Organisation)))
        assert kinds["grid_company"] == 1 and kinds["district_heating"] == 1
        assert db.exec(select(func.count()).select_from(Customer)).one() == CUSTOMER_COUNT
        assert db.exec(select(func.count()).select_from(Meter)).one() == METER_COUNT
        media = Counter(m.medium for m in db.exec(select(Meter)))
        assert media[Medium.HEAT] > 0 and media[Medium.ELECTRICITY] > 0


def test_some_customers_share_one_mobile_with_several_relationships(demo_engine):
    with Session(demo_engine) as db:
        rows = db.exec(
            select(Customer.mobile, func.count(CustomerRelationship.id))
            .join(CustomerRelationship, CustomerRelationship.customer_id == Customer.id)
            .group_by(Customer.mobile)
        ).all()
    assert sum(1 for _, relationships in rows if relationships > 1) >= 3


def test_every_meter_has_three_years_of_hourly_readings_without_gaps(demo_engine):
    with demo_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT meter_id, count(*), min(ts), max(ts) FROM reading GROUP BY meter_id")
        ).all()
    assert len(rows) == METER_COUNT
    for _meter, count, first, last in rows:
        assert count == HOURS_IN_THREE_YEARS + 1
        assert last - first == HOURS_IN_THREE_YEARS * 3600


def test_registers_only_grow_and_yearly_totals_look_real(demo_engine):
    with demo_engine.connect() as connection:
        meters = connection.execute(text("SELECT id, medium FROM meter")).all()
        for meter_id, medium in meters:
            values = [
                v
                for (v,) in connection.execute(
                    text("SELECT value FROM reading WHERE meter_id = :m ORDER BY ts"), {"m": meter_id}
                )
            ]
            steps = [b - a for a, b in pairwise(values)]
            assert min(steps) >= 0
            yearly = (values[-1] - values[0]) / 3
            if medium == Medium.ELECTRICITY:
                assert 5_000 < yearly < 40_000, (meter_id, yearly)
            else:
                assert 8_000 < yearly < 60_000, (meter_id, yearly)


def _month_use(connection, meter_id: int, start: datetime, end: datetime) -> float:
    first, last = connection.execute(
        text("SELECT min(value), max(value) FROM reading WHERE meter_id = :m AND ts BETWEEN :a AND :b"),
        {"m": meter_id, "a": int(start.timestamp()), "b": int(end.timestamp())},
    ).one()
    return last - first


def test_district_heating_follows_the_seasons(demo_engine):
    with demo_engine.connect() as connection:
        heat_meters = [m for (m,) in connection.execute(text("SELECT id FROM meter WHERE medium = 'heat'"))]
        for meter_id in heat_meters:
            january = _month_use(
                connection, meter_id, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
            )
            july = _month_use(
                connection, meter_id, datetime(2025, 7, 1, tzinfo=UTC), datetime(2025, 8, 1, tzinfo=UTC)
            )
            assert january > 4 * july > 0


def test_electricity_has_evening_peaks_and_night_troughs():
    size = consumption_size(1, Medium.ELECTRICITY)
    rows = list(demo_readings(1, Medium.ELECTRICITY, size, UNTIL))
    by_utc_hour: dict[int, float] = Counter()
    for (_, _, ts, value, _, _), (_, _, _, previous, _, _) in zip(rows[1:], rows):
        by_utc_hour[(ts // 3600 - 1) % 24] += value - previous
    # 17-18 UTC is 18-19 or 19-20 in Oslo; 2-3 UTC is the middle of the night.
    assert by_utc_hour[17] > 1.5 * by_utc_hour[2]


def test_generation_is_deterministic():
    first = list(demo_readings(7, Medium.HEAT, consumption_size(7, Medium.HEAT), UNTIL))
    second = list(demo_readings(7, Medium.HEAT, consumption_size(7, Medium.HEAT), UNTIL))
    assert first == second
    assert SEED  # the seed is a named constant, not the clock


def _consumption_snapshot(engine) -> tuple:
    with engine.connect() as connection:
        return tuple(
            connection.execute(
                text(f"SELECT count(*), round(sum(coalesce(energy_kwh, 0)), 3) FROM {table}")
            ).one()
            for table in ("consumption_hour", "consumption_day", "consumption_month")
        )


def test_demo_consumption_equals_a_rebuild_from_the_readings(demo_engine):
    generated = _consumption_snapshot(demo_engine)
    assert generated[0][0] >= METER_COUNT * HOURS_IN_THREE_YEARS
    rebuild_all_consumption(demo_engine, costs=False)  # the kWh only (the cost's own tests price)
    assert _consumption_snapshot(demo_engine) == generated


def test_running_the_generator_again_adds_nothing(demo_engine):
    with Session(demo_engine) as db:
        before = (
            db.exec(select(func.count()).select_from(Reading)).one(),
            db.exec(select(func.count()).select_from(Organisation)).one(),
        )
    assert generate_demo(demo_engine, until=UNTIL) == []
    with Session(demo_engine) as db:
        after = (
            db.exec(select(func.count()).select_from(Reading)).one(),
            db.exec(select(func.count()).select_from(Organisation)).one(),
        )
    assert after == before


def test_printed_logins_name_each_relationship_once_and_include_shared_mobiles(demo_engine, capsys):
    print_logins(demo_logins(demo_engine))
    customer_line = re.compile(r"\s(\d{7})\s+\d{18}\s")
    lines = [line for line in capsys.readouterr().out.splitlines() if customer_line.search(line)]
    installation_numbers = [customer_line.search(line).group(1) for line in lines]
    assert len(installation_numbers) == len(set(installation_numbers)) >= 6
    assert any("(mobile shared by several relationships)" in line for line in lines)


def test_demo_accounts_sign_in_with_their_printed_passwords(demo_engine, capsys):
    from app.demo import DEMO_ACCOUNTS, print_logins
    from app.services.accounts.accounts import login
    from app.services.accounts.password_policy import rule_results

    with Session(demo_engine) as db:
        for account in DEMO_ACCOUNTS:
            assert all(rule_results(account.password, account.email, account.name).values())
            signed_in = login(db, account.email, account.password, client_address=f"demo-{account.role}")
            assert signed_in.role is account.role
            user = db.get(User, signed_in.user_id)
            assert (user.organisation_id is None) == (account.organisation is None)
    print_logins([])
    printed = capsys.readouterr().out
    assert all(account.email in printed and account.password in printed for account in DEMO_ACCOUNTS)
    assert {account.role for account in DEMO_ACCOUNTS} >= {
        Role.ADMIN,
        Role.DISTRIBUTOR,
        Role.INSTALLER,
        Role.GRID_STAFF,
    }


def test_the_demo_distributor_has_a_real_key_list(demo_engine):
    from app.services.caller import Caller
    from app.services.keys.read_rights import reader_units
    from app.services.keys.units import UnitQuery, list_units

    with Session(demo_engine) as db:
        distributor = db.exec(select(User).where(User.email == "distributor@demo.meterportal.no")).one()
        organisation = distributor.organisation_id
        caller = Caller(role=Role.DISTRIBUTOR, user_id=distributor.id, organisation_id=organisation)
        units = list_units(db, caller, UnitQuery())
        assert units.total >= 300 and all(row.serial.startswith("KAM") for row in units.rows)
        assert list_units(db, caller, UnitQuery(kind="concentrator")).total > 0
        reader = db.exec(select(User).where(User.email == "keyreader@demo.meterportal.no")).one()
        assert reader_units(db, Caller(role=Role.KEY_READER, user_id=reader.id), UnitQuery()).total == 12


def test_grid_staff_meet_a_queue_of_han_port_orders_placed_by_customers(demo_engine):
    from app.models import HanPortOrder, UserSession

    with Session(demo_engine) as db:
        orders = db.exec(select(HanPortOrder).order_by(HanPortOrder.id)).all()
        assert [o.status for o in orders] == ["received", "received", "in_progress"]
        # On the newest electricity relationships: the browser tests sign in as the first ones.
        newest = db.exec(
            select(CustomerRelationship.id)
            .join(Meter, Meter.id == CustomerRelationship.meter_id)
            .where(Meter.medium == Medium.ELECTRICITY)
            .order_by(CustomerRelationship.id.desc())
            .limit(3)
        ).all()
        assert {o.relationship_id for o in orders} == set(newest)
        # The customers' demo sessions that placed them are ended.
        live = db.exec(
            select(UserSession).where(UserSession.client_address == "demo", UserSession.revoked_at.is_(None))
        ).all()
        assert live == []
