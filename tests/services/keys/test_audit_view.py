"""The organisation's key audit view: every step, filtered, paged, CSV; another organisation's
steps never shown."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from key_factories import signed_in
from sqlmodel import select

from app.clock import running_from
from app.models import AuditEntry, MeterKey, Role
from app.services.caller import Caller
from app.services.errors import AccessDenied
from app.services.keys.audit_view import KEY_AUDIT_ACTIONS, AuditQuery, audit_csv, audit_page
from app.services.keys.exports import ExportFormat, export_keys
from app.services.keys.imports import cancel_import, stage_csv_import
from app.services.keys.read_rights import assign_read_rights, revoke_read_rights, show_key


def _steps(db, world) -> None:
    units = world.own_units[:2]
    with running_from(datetime(2026, 3, 2, 10, tzinfo=UTC)):
        assign_read_rights(db, world.own, units, "leser@example.no")
    with running_from(datetime(2026, 3, 3, 10, tzinfo=UTC)):
        reader = signed_in(db, Role.KEY_READER, "leser@example.no")
        show_key(db, reader, units[0])
        export_keys(db, reader, units, ExportFormat.CSV)
        revoke_read_rights(db, world.own, units[1:], "leser@example.no")
        cancel_import(
            db, world.own, stage_csv_import(db, world.own, "k.csv", b"serial,key\nKAM1,00\n").batch_id
        )
        # The other organisation's steps are not this organisation's business.
        assign_read_rights(db, world.other, world.other_units[:1], "leser@example.no")
    db.commit()


def test_each_step_with_who_and_which_units(db, world):
    _steps(db, world)
    page = audit_page(db, world.own, AuditQuery())
    actions = [row.action for row in page.rows]
    assert sorted(actions) == sorted(
        ["key.assign", "key.view", "key.export", "key.revoke", "key.import_staged", "key.import_cancelled"]
    )
    serials = [db.get(MeterKey, unit).serial for unit in world.own_units[:2]]
    by_action = {row.action: row for row in page.rows}
    assert by_action["key.assign"].units == ",".join(serials)
    assert by_action["key.assign"].actor == "dina@maaleservice.no"
    assert by_action["key.assign"].detail == "to leser@example.no (invited)"
    assert by_action["key.view"].actor == "leser@example.no" and by_action["key.view"].units == serials[0]
    assert by_action["key.revoke"].units == serials[1]
    assert set(actions) <= set(KEY_AUDIT_ACTIONS)
    other = audit_page(db, world.other, AuditQuery())
    assert [row.action for row in other.rows] == ["key.assign"]


def test_filters_by_action_person_and_date(db, world):
    _steps(db, world)
    assert [r.action for r in audit_page(db, world.own, AuditQuery(action="key.export")).rows] == [
        "key.export"
    ]
    by_reader = audit_page(db, world.own, AuditQuery(actor_email="Leser@example.no"))
    assert sorted(r.action for r in by_reader.rows) == ["key.export", "key.view"]
    first_day = audit_page(db, world.own, AuditQuery(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2)))
    assert [r.action for r in first_day.rows] == ["key.assign"]
    assert audit_page(db, world.own, AuditQuery(date_from=date(2026, 3, 3))).total == 5
    paged = audit_page(db, world.own, AuditQuery(page=2, page_size=4))
    assert (paged.total, paged.pages, len(paged.rows)) == (6, 2, 2)


def test_csv_holds_every_matching_row(db, world):
    _steps(db, world)
    rows = list(csv.DictReader(io.StringIO(audit_csv(db, world.own, AuditQuery()).decode())))
    assert len(rows) == 6 and rows[-1]["action"] == "key.assign"
    assert rows[-1]["time"].startswith("2026-03-02T11:00:00+01:00")


@pytest.mark.parametrize("role", [Role.KEY_READER, Role.INSTALLER, Role.GRID_STAFF])
def test_only_the_organisations_superuser_reads_it(db, world, role):
    with pytest.raises(AccessDenied):
        audit_page(db, Caller(role=role, user_id=1, organisation_id=world.own.organisation_id), AuditQuery())


def test_the_view_writes_nothing(db, world):
    _steps(db, world)
    before = len(db.exec(select(AuditEntry)).all())
    audit_page(db, world.own, AuditQuery())
    audit_csv(db, world.own, AuditQuery())
    db.commit()
    assert len(db.exec(select(AuditEntry)).all()) == before
