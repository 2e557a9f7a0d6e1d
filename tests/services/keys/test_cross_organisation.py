"""One organisation's superuser cannot list, show, export, assign or revoke another organisation's
units; a key reader sees nothing that was not assigned to them. Proven at the services, which every
handler calls, and with nothing written by a refused call."""

from __future__ import annotations

import pytest
from key_factories import signed_in
from sqlmodel import select

from app.models import KeyReadRight, MeterKey, Role
from app.services.errors import AccessDenied
from app.services.keys.exports import ExportFormat, export_keys
from app.services.keys.read_rights import (
    assign_read_rights,
    reader_units,
    readers_of,
    revoke_read_rights,
    revoke_reader,
    show_key,
)
from app.services.keys.units import UnitQuery, list_units, matching_unit_ids, unit_filter_options


def _serials(db, ids):
    return {db.get(MeterKey, unit).serial for unit in ids}


def test_listing_never_shows_another_organisations_units(db, world):
    other_serials = _serials(db, world.other_units)
    everything = list_units(db, world.own, UnitQuery(page_size=500))
    assert {row.serial for row in everything.rows}.isdisjoint(other_serials)
    pasted = "\n".join(sorted(other_serials))
    assert list_units(db, world.own, UnitQuery(serial_search=pasted)).total == 0
    assert list_units(db, world.own, UnitQuery(serial_search="KAM68")).total == 0
    assert set(matching_unit_ids(db, world.own, UnitQuery())).isdisjoint(world.other_units)
    assert unit_filter_options(db, world.own).models  # its own only; the other's share the names


@pytest.mark.parametrize("mixed", [False, True], ids=["foreign", "own-and-foreign"])
def test_show_export_assign_revoke_of_another_organisations_units_are_refused(db, world, mixed):
    foreign = world.other_units[:2]
    ids = [world.own_units[0], *foreign] if mixed else foreign
    assign_read_rights(db, world.other, foreign, "leser@example.no")
    db.commit()
    rights_before = len(db.exec(select(KeyReadRight)).all())
    with pytest.raises(AccessDenied):
        show_key(db, world.own, foreign[0])
    with pytest.raises(AccessDenied):
        export_keys(db, world.own, ids, ExportFormat.CSV)
    with pytest.raises(AccessDenied):
        assign_read_rights(db, world.own, ids, "angriper@example.no")
    with pytest.raises(AccessDenied):
        revoke_read_rights(db, world.own, ids, "leser@example.no")
    with pytest.raises(AccessDenied):
        readers_of(db, world.own, foreign[0])
    db.rollback()
    assert len(db.exec(select(KeyReadRight)).all()) == rights_before
    # Revoking a reader takes back only the caller's own organisation's rights.
    assert revoke_reader(db, world.own, "leser@example.no") == 0
    assert len(db.exec(select(KeyReadRight)).all()) == rights_before


def test_a_key_reader_sees_only_what_was_assigned_to_them(db, world):
    reader = signed_in(db, Role.KEY_READER, "leser@example.no")
    neighbour = signed_in(db, Role.KEY_READER, "nabo@example.no")
    assign_read_rights(db, world.own, world.own_units[:2], "leser@example.no")
    assign_read_rights(db, world.own, world.own_units[2:4], "nabo@example.no")
    db.commit()
    page = reader_units(db, reader, UnitQuery(page_size=500))
    assert {row.id for row in page.rows} == set(world.own_units[:2]) and page.total == 2
    pasted = "\n".join(sorted(_serials(db, world.own_units[2:6])))
    assert reader_units(db, reader, UnitQuery(serial_search=pasted)).total == 0
    for unit in (world.own_units[2], world.own_units[5], world.other_units[0]):
        with pytest.raises(AccessDenied):
            show_key(db, reader, unit)
        with pytest.raises(AccessDenied):
            export_keys(db, reader, [world.own_units[0], unit], ExportFormat.WORKER_JSON)
    # A reader manages nothing: no list of the organisation, no assigning, no revoking.
    for call in (
        lambda: list_units(db, reader, UnitQuery()),
        lambda: matching_unit_ids(db, reader, UnitQuery()),
        lambda: assign_read_rights(db, reader, world.own_units[:1], "venn@example.no"),
        lambda: revoke_read_rights(db, reader, world.own_units[2:3], "nabo@example.no"),
        lambda: readers_of(db, reader, world.own_units[0]),
    ):
        with pytest.raises(AccessDenied):
            call()
    assert {row.id for row in reader_units(db, neighbour, UnitQuery()).rows} == set(world.own_units[2:4])
