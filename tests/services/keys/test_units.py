"""The key list: search, filters, sort, server-side paging, select all matching; never a key."""

from __future__ import annotations

import dataclasses

import pytest

from app.models import Role
from app.services.caller import Caller
from app.services.errors import AccessDenied
from app.services.keys.units import (
    UnitQuery,
    list_units,
    matching_unit_ids,
    serial_terms,
    unit_filter_options,
)


def test_a_page_lists_only_the_organisations_units_sorted_by_serial(db, world):
    page = list_units(db, world.own, UnitQuery(page_size=10))
    assert page.total == 30 and page.pages == 3 and len(page.rows) == 10
    assert [row.serial for row in page.rows] == [f"KAM{57000000 + n:08d}" for n in range(10)]
    assert {row.id for row in page.rows} <= set(world.own_units)
    last = list_units(db, world.own, UnitQuery(page=3, page_size=10))
    assert last.rows[-1].serial == "KAM57000029"
    # A page past the end shows the last page rather than nothing.
    assert list_units(db, world.own, UnitQuery(page=99, page_size=10)).page == 3


def test_rows_carry_no_key_material(db, world):
    row = list_units(db, world.own, UnitQuery(page_size=1)).rows[0]
    assert {f.name for f in dataclasses.fields(row)} == {
        "id",
        "serial",
        "manufacturer",
        "kind",
        "model",
        "medium",
        "readers",
        "updated_at",
    }
    assert row.manufacturer == "KAM" and row.readers == 0


def test_prefix_search_and_a_pasted_list_of_serials(db, world):
    assert list_units(db, world.own, UnitQuery(serial_search="kam5700001")).total == 10
    pasted = "KAM57000003\nKAM57000007; KAM57000011,KAM68000000\tNOPE"
    page = list_units(db, world.own, UnitQuery(serial_search=pasted))
    # Exact matches only, and another organisation's unit is not among them.
    assert [row.serial for row in page.rows] == ["KAM57000003", "KAM57000007", "KAM57000011"]
    assert serial_terms(" a, b ;c\n") == ["a", "b", "c"]
    # A LIKE wildcard typed by the user is a character, not a pattern.
    assert list_units(db, world.own, UnitQuery(serial_search="KAM%")).total == 0


def test_filters_by_kind_model_medium(db, world):
    concentrators = list_units(db, world.own, UnitQuery(kind="concentrator"))
    assert concentrators.total == 3 and {r.kind for r in concentrators.rows} == {"concentrator"}
    water = list_units(db, world.own, UnitQuery(model="MULTICAL 21", medium="water"))
    assert water.total == 10 and {(r.model, r.medium) for r in water.rows} == {("MULTICAL 21", "water")}
    assert list_units(db, world.own, UnitQuery(model="MULTICAL 21", medium="electricity")).total == 0


@pytest.mark.parametrize("sort", ["serial", "kind", "model", "medium", "readers", "updated_at"])
def test_sort_by_any_column_both_ways(db, world, sort):
    rows = list_units(db, world.own, UnitQuery(sort=sort, page_size=500)).rows
    attribute = "readers" if sort == "readers" else sort
    keys = [(getattr(r, attribute), r.serial) for r in rows]
    assert keys == sorted(keys)
    down = list_units(db, world.own, UnitQuery(sort=sort, descending=True, page_size=500)).rows
    assert [(getattr(r, attribute), r.serial) for r in down] == sorted(keys, reverse=True)


def test_select_all_matching_spans_every_page(db, world):
    ids = matching_unit_ids(db, world.own, UnitQuery(medium="water", page_size=2))
    assert len(ids) == 10 and set(ids) <= set(world.own_units)
    assert matching_unit_ids(db, world.other, UnitQuery()) == sorted(world.other_units)


def test_filter_options_are_the_organisations_own(db, world):
    options = unit_filter_options(db, world.own)
    assert options.models == ["MULTICAL 21", "MULTICAL 403", "OMNIPOWER"]
    assert options.media == ["district_heating", "electricity", "water"]


@pytest.mark.parametrize(
    "caller",
    [
        Caller(role=Role.KEY_READER, user_id=1),
        Caller(role=Role.INSTALLER, organisation_id=1),
        Caller(role=Role.DISTRIBUTOR, organisation_id=None),
        Caller(role=Role.CUSTOMER),
    ],
)
def test_only_distributors_list_units(db, world, caller):
    with pytest.raises(AccessDenied):
        list_units(db, caller, UnitQuery())
    with pytest.raises(AccessDenied):
        matching_unit_ids(db, caller, UnitQuery())
    with pytest.raises(AccessDenied):
        unit_filter_options(db, caller)


def test_an_administrator_lists_no_organisations_units(db, world):
    # Administrators manage accounts and organisations; the key service is not theirs.
    with pytest.raises(AccessDenied):
        list_units(db, Caller(role=Role.ADMIN), UnitQuery())


def test_model_sort_filter_and_menu_ignore_case(db, world):
    from app.services.keys.sealing import add_key

    add_key(db, "KAM77000001", bytes(16), owner_id=world.own.organisation_id, model="multical 21")
    add_key(db, "KAM77000002", bytes(16), owner_id=world.own.organisation_id, model="apator")
    options = unit_filter_options(db, world.own)
    assert options.models == ["apator", "MULTICAL 21", "MULTICAL 403", "OMNIPOWER"]
    models = [row.model for row in list_units(db, world.own, UnitQuery(sort="model", page_size=500)).rows]
    assert models[0] == "apator" and models.index("multical 21") < models.index("MULTICAL 403")
    same = list_units(db, world.own, UnitQuery(model="MULTICAL 21", page_size=500)).rows
    assert "KAM77000001" in {row.serial for row in same}
