"""Key-service handlers called as a browser would: one organisation's distributor never reaches
another's units (list, show, export, assign, revoke), and a key reader sees only what was assigned."""

from __future__ import annotations

import asyncio
import inspect
import io
import os
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import col, select

from app.clock import utcnow
from app.db import session_scope
from app.models import (
    AuditEntry,
    KeyReadRight,
    MeterKey,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserSession,
)
from app.services.errors import AccessDenied
from app.services.keys.kem import KemEntry, build_kem
from app.services.keys.read_rights import assign_read_rights
from app.services.keys.sealing import add_key
from app.services.passwords import hash_password
from app.services.sessions import hash_token, resolve_principal, start_session
from app.states.keys.audit import KeyAuditState
from app.states.keys.export import KeyExportState
from app.states.keys.imports import KeyImportState
from app.states.keys.read_rights import ReadRightsState
from app.states.keys.reader import KeyReaderState
from app.states.keys.unit_list import KeyListState
from tests.handler_callers import state_as

PASSWORD = "Kobber#Maaler26"


@dataclass(frozen=True)
class Org:
    token: str  # the distributor's browser
    unit_ids: list[int]
    serials: list[str]


@dataclass(frozen=True)
class World:
    prefix: str
    own: Org
    other: Org
    reader_token: str
    reader_email: str
    assigned_id: int  # the one unit of ``own`` assigned to the reader


def _account(db, role: Role, organisation_id: int | None, email: str) -> str:
    user = User(
        email=email,
        name=email.split("@")[0],
        role=role.value,
        organisation_id=organisation_id,
        password_hash=hash_password(PASSWORD),
    )
    db.add(user)
    db.flush()
    return start_session(db, role, user_id=user.id)


def _org(db, prefix: str, first: int, count: int) -> Org:
    org = Organisation(name=f"Distributør {uuid.uuid4().hex[:8]}", kind=OrganisationKind.DISTRIBUTOR.value)
    db.add(org)
    db.flush()
    serials = [f"{prefix}{first + n:03d}" for n in range(count)]
    ids = [
        add_key(db, serial, os.urandom(16), owner_id=org.id, model="MULTICAL 21", medium="water").id
        for serial in serials
    ]
    token = _account(db, Role.DISTRIBUTOR, org.id, f"dist-{uuid.uuid4().hex[:8]}@example.org")
    return Org(token, [i or 0 for i in ids], serials)


@pytest.fixture
def world(app_database_url) -> World:
    # Both organisations' serials share one prefix: a search by it would find both.
    prefix = f"KAM{random.randint(10000, 99999)}"
    reader_email = f"reader-{uuid.uuid4().hex[:8]}@example.org"
    with session_scope() as db:
        own = _org(db, prefix, 0, 6)
        other = _org(db, prefix, 500, 4)
    with session_scope() as db:
        caller = resolve_principal(db, own.token)
        assign_read_rights(db, caller, [own.unit_ids[0]], reader_email)
        reader = db.exec(select(User).where(User.email == reader_email)).one()
        reader.password_hash = hash_password(PASSWORD)
        reader_token = start_session(db, Role.KEY_READER, user_id=reader.id)
    return World(prefix, own, other, reader_token, reader_email, own.unit_ids[0])


def _run(result):
    return asyncio.run(result) if inspect.isawaitable(result) else result


def _handler(state_class, name: str):
    """The handler ``name`` of the state or of the state it extends (the page's state tree)."""
    owner = next(cls for cls in state_class.__mro__ if name in getattr(cls, "event_handlers", {}))
    return owner.event_handlers[name]


def _call(state_class, state, name: str, *args):
    return _run(_handler(state_class, name).fn(state, *args))


def _listed(state_class, token: str, prefix: str):
    state = state_as(state_class, token)
    _call(state_class, state, "load")
    _call(state_class, state, "apply_filters", {"serial_search": prefix})
    return state


def _rights(unit_ids: list[int]) -> list[tuple[int, int]]:
    with session_scope() as db:
        return sorted(
            (r.unit_id, r.user_id)
            for r in db.exec(select(KeyReadRight).where(col(KeyReadRight.unit_id).in_(unit_ids)))
        )


def test_a_distributor_lists_and_selects_only_their_own_units(world: World):
    state = _listed(KeyListState, world.own.token, world.prefix)
    assert sorted(row["serial"] for row in state.rows) == world.own.serials
    assert state.total == len(world.own.serials)
    _call(KeyListState, state, "select_all_matching")
    assert state._selected_ids == set(world.own.unit_ids)
    assert state.selected_count == len(world.own.unit_ids)
    # A pasted list naming the other organisation's serials finds none of them.
    _call(KeyListState, state, "apply_filters", {"serial_search": "\n".join(world.other.serials)})
    assert state.rows == [] and state.total == 0


def test_a_row_of_another_organisation_cannot_be_ticked(world: World):
    state = _listed(KeyListState, world.own.token, world.prefix)
    _call(KeyListState, state, "toggle_row", str(world.other.unit_ids[0]), True)
    assert state._selected_ids == set()
    _call(KeyListState, state, "toggle_row", str(world.own.unit_ids[1]), True)
    assert state._selected_ids == {world.own.unit_ids[1]}


def test_assigning_another_organisations_units_is_refused(world: World):
    state = _listed(ReadRightsState, world.own.token, world.prefix)
    # As if the browser had smuggled the other organisation's ids into the selection.
    state._selected_ids = {world.other.unit_ids[0], world.own.unit_ids[2]}
    with pytest.raises(AccessDenied):
        _call(ReadRightsState, state, "assign", {"email": f"x-{uuid.uuid4().hex[:6]}@example.org"})
    assert _rights([*world.other.unit_ids, world.own.unit_ids[2]]) == []


def test_revoking_another_organisations_rights_is_refused(world: World):
    with session_scope() as db:
        assign_read_rights(
            db, resolve_principal(db, world.other.token), world.other.unit_ids[:2], world.reader_email
        )
    before = _rights(world.other.unit_ids)
    assert len(before) == 2
    state = _listed(ReadRightsState, world.own.token, world.prefix)
    state._selected_ids = set(world.other.unit_ids[:2])
    with pytest.raises(AccessDenied):
        _call(ReadRightsState, state, "revoke_selected", {"email": world.reader_email})
    state.panel_unit_id, state.revoke_email = str(world.other.unit_ids[0]), world.reader_email
    with pytest.raises(AccessDenied):
        _call(ReadRightsState, state, "revoke_unit_reader", {})
    # Revoking the reader everywhere ends only the rights on the own organisation's units.
    _call(ReadRightsState, state, "revoke_everywhere", {"email": world.reader_email})
    assert _rights(world.other.unit_ids) == before
    assert _rights(world.own.unit_ids) == []


def test_a_distributor_assigns_and_revokes_through_the_dialogs(world: World):
    state = _listed(ReadRightsState, world.own.token, world.prefix)
    _call(ReadRightsState, state, "select_page")
    _call(ReadRightsState, state, "show_dialog", "assign")
    assert state.open_dialog == "assign"
    _call(ReadRightsState, state, "assign", {"email": "not an address"})
    assert state.errors.get("email") and state.open_dialog == "assign"
    _call(ReadRightsState, state, "assign", {"email": world.reader_email})
    assert state.open_dialog == "" and state.errors == {}
    assert len(_rights(world.own.unit_ids)) == len(world.own.unit_ids)
    assert all(row["readers"] == "1" for row in state.rows)
    _call(ReadRightsState, state, "open_panel", str(world.own.unit_ids[3]))
    assert [reader["email"] for reader in state.panel_readers] == [world.reader_email]
    # "Revoke" asks first; Cancel takes nothing and hands the focus back to the reader's button.
    _call(ReadRightsState, state, "ask_revoke_unit_reader", "someone-else@example.org")
    assert state.revoke_email == ""  # not a reader of the unit: nothing to confirm
    _call(ReadRightsState, state, "ask_revoke_unit_reader", world.reader_email)
    assert state.revoke_email == world.reader_email and world.reader_email in state.revoke_question
    back = _call(ReadRightsState, state, "question_open_change", False)
    assert state.revoke_email == "" and f"revoke-reader-{world.reader_email}" in str(back)
    assert _call(ReadRightsState, state, "revoke_unit_reader", {}) is None  # nothing confirmed
    assert len(_rights(world.own.unit_ids)) == len(world.own.unit_ids)
    _call(ReadRightsState, state, "ask_revoke_unit_reader", world.reader_email)
    done = _call(ReadRightsState, state, "revoke_unit_reader", {})
    assert state.panel_readers == [] and state.revoke_email == ""
    assert "readers-panel-close" in str(done)
    assert len(_rights(world.own.unit_ids)) == len(world.own.unit_ids) - 1


def test_a_distributor_cannot_show_another_organisations_key(world: World):
    state = _listed(ReadRightsState, world.own.token, world.prefix)
    _call(ReadRightsState, state, "open_panel", str(world.other.unit_ids[0]))
    assert state.open_dialog != "readers"  # not a listed row: nothing opens
    state.panel_unit_id = str(world.other.unit_ids[0])
    with pytest.raises(AccessDenied):
        _call(ReadRightsState, state, "show_unit_key")
    _call(ReadRightsState, state, "open_panel", str(world.own.unit_ids[1]))
    shown = _call(ReadRightsState, state, "show_unit_key")
    assert "unit-key" in str(shown)


def test_a_key_reader_sees_and_shows_only_assigned_units(world: World):
    state = state_as(KeyReaderState, world.reader_token)
    _call(KeyReaderState, state, "load")
    assert [row["id"] for row in state.rows] == [str(world.assigned_id)]
    assert "key" not in " ".join(state.rows[0])  # no key in the list
    shown = _call(KeyReaderState, state, "show", str(world.assigned_id))
    assert f"reader-key-{world.assigned_id}" in str(shown)
    for unassigned in (world.own.unit_ids[1], world.other.unit_ids[0]):
        with pytest.raises(AccessDenied):
            _call(KeyReaderState, state, "show", str(unassigned))
    _call(KeyReaderState, state, "toggle_row", str(world.own.unit_ids[1]), True)
    assert state._selected_ids == set()


def test_a_key_reader_reaches_no_distributor_handler(world: World):
    for state_class, name, args in (
        (KeyListState, "load", ()),
        (KeyListState, "select_all_matching", ()),
        (ReadRightsState, "assign", ({"email": world.reader_email},)),
        (ReadRightsState, "revoke_everywhere", ({"email": world.reader_email},)),
    ):
        with pytest.raises(AccessDenied):
            _call(state_class, state_as(state_class, world.reader_token), name, *args)


# ---------------------------------------------------------------- import


def _upload(name: str, content: bytes) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(content), path=Path(name))


def _import_state(token: str) -> KeyImportState:
    state = state_as(KeyImportState, token)
    _call(KeyImportState, state, "load")
    return state


def test_a_csv_preview_names_the_bad_row_and_cancel_writes_nothing(world: World):
    good, bad = f"{world.prefix}800", f"{world.prefix}801"
    content = f"serial,kind,model,key\n{good},meter,OMNIPOWER,{os.urandom(16).hex()}\n{bad},meter,X,zz\n"
    state = _import_state(world.own.token)
    _call(KeyImportState, state, "stage_upload", [_upload("keys.csv", content.encode())], "")
    assert state.errors == {} and state.batch_id > 0
    assert (state.good, state.bad) == (1, 1)
    assert [row["serial"] for row in state.bad_rows] == [bad] and state.bad_rows[0]["problem"]
    assert "zz" not in str(state.dict())  # rows never carry a key
    # The other organisation's distributor cannot cancel (or confirm) this batch.
    other = _import_state(world.other.token)
    other.batch_id = state.batch_id
    with pytest.raises(AccessDenied):
        _call(KeyImportState, other, "cancel")
    _call(KeyImportState, state, "cancel")
    assert state.batch_id == 0
    with session_scope() as db:
        assert db.exec(select(MeterKey).where(col(MeterKey.serial).in_([good, bad]))).all() == []


def test_a_preview_marks_rows_that_replace_an_existing_key_and_shows_the_medium(world: World):
    existing, new = world.own.serials[1], f"{world.prefix}802"
    content = (
        f"serial,kind,model,medium,key\n{new},meter,OMNIPOWER,electricity,{os.urandom(16).hex()}\n"
        f"{existing},meter,MULTICAL 21,water,{os.urandom(16).hex()}\n"
    )
    state = _import_state(world.own.token)
    _call(KeyImportState, state, "stage_upload", [_upload("keys.csv", content.encode())], "")
    assert (state.good, state.bad, state.replacing) == (2, 0, 1)
    # The replacing row comes first and carries its marker; the medium is shown in words.
    assert [(row["serial"], row["note"]) for row in state.good_rows] == [
        (existing, "Har allerede nøkkel"),
        (new, ""),
    ]
    assert [row["medium"] for row in state.good_rows] == ["Vann", "Strøm"]
    # One way of saying it: the row for a unit with a key is not among those that "can be imported";
    # the callout beside says it is skipped unless replacing is ticked.
    assert state.summary_text == (
        "keys.csv: 1 ny nøkkel kan importeres, 1 rad gjelder en enhet som allerede "
        "har en nøkkel, 0 rader kan ikke importeres."
    )
    assert state.replacing_text.startswith("Enheten som allerede har en nøkkel, hoppes over")
    state.language = "en"
    assert state.summary_text == (
        "keys.csv: 1 new key can be imported, 1 row is for a unit that already "
        "has a key, 0 rows cannot be imported."
    )
    _call(KeyImportState, state, "cancel")


def test_a_wrong_kem_password_shows_next_to_the_password_field(world: World):
    kem = build_kem(
        [KemEntry(serial="70000001", meter_number="1", medium="Water", key_hex=os.urandom(16).hex())],
        "riktig",
    )
    state = _import_state(world.own.token)
    _call(KeyImportState, state, "stage_upload", [_upload("keys.kem", kem)], "galt")
    assert set(state.errors) == {"password"} and state.batch_id == 0
    _call(KeyImportState, state, "stage_upload", [_upload("keys.kem", kem)], "")
    assert set(state.errors) == {"password"}
    assert "galt" not in str(state.dict()) and "riktig" not in str(state.dict())


# ---------------------------------------------------------------- export and audit


def test_exporting_another_organisations_keys_is_refused(world: World):
    state = _listed(KeyExportState, world.own.token, world.prefix)
    state._selected_ids = {world.other.unit_ids[0]}
    with pytest.raises(AccessDenied):
        _call(KeyExportState, state, "export", {"format": "csv"})
    _call(KeyExportState, state, "clear_selection")
    _call(KeyExportState, state, "select_page")
    events = _call(KeyExportState, state, "export", {"format": "serial_key_lines"})
    assert state.errors == {} and "_download" in str(events)
    # A key reader downloads only what was assigned to them.
    reader = state_as(KeyReaderState, world.reader_token)
    _call(KeyReaderState, reader, "load")
    reader._selected_ids = {world.own.unit_ids[1]}
    with pytest.raises(AccessDenied):
        _call(KeyReaderState, reader, "download", {"format": "csv"})


def test_an_old_sign_in_asks_for_the_password_before_the_export(world: World):
    with session_scope() as db:
        session = db.exec(
            select(UserSession).where(UserSession.token_hash == hash_token(world.own.token))
        ).one()
        session.authenticated_at = utcnow() - timedelta(minutes=6)
        db.add(session)
    state = _listed(KeyExportState, world.own.token, world.prefix)
    _call(KeyExportState, state, "select_page")
    assert _call(KeyExportState, state, "export", {"format": "worker_json"}) is None
    assert state.open_dialog == "reauth" and state.pending_format == "worker_json"
    _call(KeyExportState, state, "reauthenticate", {"password": "wrong"})
    assert set(state.errors) == {"password"} and state.open_dialog == "reauth"
    events = _call(KeyExportState, state, "reauthenticate", {"password": PASSWORD})
    assert "_download" in str(events) and state.open_dialog == "" and state.errors == {}
    assert PASSWORD not in str(state.dict())


def test_the_audit_view_shows_only_the_own_organisations_key_actions(world: World):
    state = state_as(KeyAuditState, world.other.token)
    _call(KeyAuditState, state, "load")
    _call(KeyAuditState, state, "apply_filters", {"action": "key.assign", "actor_email": ""})
    assert all(world.own.serials[0] not in row["units"] for row in state.rows)
    own = state_as(KeyAuditState, world.own.token)
    _call(KeyAuditState, own, "load")
    _call(KeyAuditState, own, "apply_filters", {"action": "key.assign", "actor_email": ""})
    assert any(world.own.serials[0] in row["units"] for row in own.rows)
    with pytest.raises(AccessDenied):
        _call(KeyAuditState, state_as(KeyAuditState, world.reader_token), "load")


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_the_audit_view_shows_outcome_and_detail_in_the_readers_language(world: World, language):
    from app.i18n import translate

    own = state_as(KeyAuditState, world.own.token)
    own.language = language
    _call(KeyAuditState, own, "load")
    _call(KeyAuditState, own, "apply_filters", {"action": "key.assign", "actor_email": ""})
    row = next(row for row in own.rows if world.own.serials[0] in row["units"])
    assert row["outcome"] == translate("keys.audit.outcome.ok", language)
    assert row["detail"] == translate(
        "keys.audit.detail.assigned_invited", language, email=world.reader_email
    )


def test_audit_details_of_each_known_shape_are_translated_and_serials_wrap():
    from app.states.keys.audit import detail_text, outcome_text, units_text

    assert detail_text("shown", "nb") == "Vist"
    assert detail_text("format csv", "sv") == "Format: CSV (serienummer, typ, modell, nycklar)"
    # The format by the name the export dialog gives it, never its code.
    assert detail_text("format worker_json", "en") == "Format: JSON for the ingestion worker"
    assert detail_text("to odd@annen.no (refused: not a key reader)", "en") == (
        "To odd@annen.no: refused, the account cannot read keys"
    )
    assert detail_text("to rita@example.org (invited)", "nb") == "Til rita@example.org (invitert)"
    assert detail_text("from rita@example.org (per unit)", "sv") == "Från rita@example.org (per enhet)"
    assert detail_text("k: 1.csv (csv): 3 good, 2 bad", "nb") == "k: 1.csv (csv): 3 gode, 2 feil"
    assert detail_text("a.kem (kem): 2 written, 1 replaced, 0 skipped", "nb") == (
        "a.kem (kem): 2 lagret, 1 erstattet, 0 hoppet over"
    )
    assert detail_text("a.kem (kem): nothing written", "sv") == "a.kem (kem): inget sparat"
    assert detail_text("something new", "nb") == "something new"
    assert outcome_text("refused", "nb") == "Avvist"
    assert units_text("KAM1,KAM2,KAM3") == "KAM1, KAM2, KAM3"


def test_a_shown_key_offers_hide_which_blanks_it_again(world: World):
    state = state_as(KeyReaderState, world.reader_token)
    _call(KeyReaderState, state, "load")
    unit = str(world.assigned_id)
    assert state.shown_ids == []
    _call(KeyReaderState, state, "show", unit)
    assert state.shown_ids == [unit]  # the page's button now reads "Skjul"
    hidden = _call(KeyReaderState, state, "hide", unit)
    assert state.shown_ids == [] and f"reader-key-{unit}" in str(hidden)


def _email_of(token: str) -> str:
    with session_scope() as db:
        principal = resolve_principal(db, token)
        return db.get(User, principal.user_id).email


def _mails_to(address: str) -> int:
    from app.models import OutboxMessage

    with session_scope() as db:
        return len(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == address)).all())


def _assign_audits(serial: str) -> list[tuple[str, str]]:
    from app.models import AuditEntry

    with session_scope() as db:
        rows = db.exec(
            select(AuditEntry).where(
                AuditEntry.action == "key.assign", col(AuditEntry.detail).contains(serial)
            )
        ).all()
        return [(row.outcome, row.detail) for row in rows]


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_assigning_to_another_organisations_distributor_is_refused_beside_the_email_field(
    world: World, language
):
    from app.i18n import translate

    distributor = _email_of(world.other.token)
    state = _listed(ReadRightsState, world.own.token, world.prefix)
    state.language = language
    _call(ReadRightsState, state, "toggle_row", str(world.own.unit_ids[4]), True)
    _call(ReadRightsState, state, "show_dialog", "assign")
    result = _call(ReadRightsState, state, "assign", {"email": distributor})
    assert result is None  # no success toast
    assert state.errors == {"email": translate("keys.error.not_a_reader", language)}
    assert state.open_dialog == "assign"  # open, the message beside the field
    assert _rights([world.own.unit_ids[4]]) == [] and _mails_to(distributor) == 0
    assert _assign_audits(world.own.serials[4]) == [
        ("refused", f"to {distributor} (refused: not a key reader); serials: {world.own.serials[4]}")
    ]


def test_assigning_units_the_reader_already_holds_says_so_and_stores_mails_and_audits_nothing(world: World):
    state = _listed(ReadRightsState, world.own.token, world.prefix)
    _call(ReadRightsState, state, "toggle_row", str(world.assigned_id), True)
    _call(ReadRightsState, state, "show_dialog", "assign")
    mails, audits = _mails_to(world.reader_email), _assign_audits(world.own.serials[0])
    result = _call(ReadRightsState, state, "assign", {"email": world.reader_email})
    assert f"{world.reader_email} hadde allerede lesetilgang til den valgte enheten" in str(result)
    assert "kan nå lese" not in str(result)
    assert state.open_dialog == "" and state.errors == {}
    assert _mails_to(world.reader_email) == mails and _assign_audits(world.own.serials[0]) == audits
    # One new and one held: the new one is assigned and mailed, and the held one is named.
    _call(ReadRightsState, state, "toggle_row", str(world.own.unit_ids[1]), True)
    result = _call(ReadRightsState, state, "assign", {"email": world.reader_email})
    assert (
        f"{world.reader_email} kan nå lese 1 enhet. Personen hadde allerede lesetilgang til 1 annen "
        "valgt enhet."
    ) in str(result)
    assert _mails_to(world.reader_email) == mails + 1


def test_revoking_an_address_without_rights_says_so_beside_the_field(world: World):
    state = _listed(ReadRightsState, world.own.token, world.prefix)
    _call(ReadRightsState, state, "toggle_row", str(world.own.unit_ids[2]), True)
    _call(ReadRightsState, state, "show_dialog", "revoke")
    result = _call(ReadRightsState, state, "revoke_selected", {"email": world.reader_email})
    assert result is None and state.open_dialog == "revoke"
    assert state.errors == {
        "email": f"{world.reader_email} har ingen lesetilgang til de valgte enhetene. Ingenting ble fjernet."
    }
    _call(ReadRightsState, state, "show_dialog", "revoke_everywhere")
    nobody = f"ingen-{uuid.uuid4().hex[:6]}@example.org"
    assert _call(ReadRightsState, state, "revoke_everywhere", {"email": nobody}) is None
    assert state.errors["email"].startswith(f"{nobody} har ingen lesetilgang til organisasjonens enheter")
    assert state.open_dialog == "revoke_everywhere"
    assert _rights([world.assigned_id]) != []  # the reader's right on another unit stands


def test_pasted_serials_that_are_not_the_organisations_units_are_named(world: World):
    state = _listed(KeyListState, world.own.token, world.prefix)
    assert state.not_found_count == 0 and state.not_found_text == ""  # one term is a prefix
    missing = f"{world.prefix}999"
    pasted = "\n".join([world.own.serials[0], missing, world.other.serials[0], world.own.serials[1]])
    _call(KeyListState, state, "apply_filters", {"serial_search": pasted})
    assert sorted(row["serial"] for row in state.rows) == world.own.serials[:2]
    assert state.not_found_serials == [missing, world.other.serials[0]]
    assert state.not_found_text == (
        f"2 serienumre ble ikke funnet blant enhetene deres: {missing}, {world.other.serials[0]}"
    )
    state.language = "en"
    _call(KeyListState, state, "apply_filters", {"serial_search": f"{world.own.serials[0]} {missing}"})
    assert state.not_found_text == f"1 serial number was not found among your units: {missing}"
    _call(KeyListState, state, "reset_filters")
    assert state.not_found_count == 0


def test_the_portal_text_promises_no_key_transfers_it_does_not_describe(world: World):
    from app.i18n import LANGUAGES

    for language, table in LANGUAGES.items():
        assert not any(
            word in table["portal.keys.body"].lower() for word in ("transfer", "overføring", "överföring")
        ), language


# ---------------------------------------------------------------- reveal: fresh password, bounded


def _age_session(token: str, minutes: int) -> None:
    with session_scope() as db:
        session = db.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).one()
        session.authenticated_at = utcnow() - timedelta(minutes=minutes)
        db.add(session)


def test_an_old_sign_in_asks_for_the_password_before_the_distributor_sees_a_key(world: World):
    _age_session(world.own.token, 60)
    state = _listed(ReadRightsState, world.own.token, world.prefix)
    unit = str(world.own.unit_ids[1])
    _call(ReadRightsState, state, "open_panel", unit)
    assert _call(ReadRightsState, state, "show_unit_key") is None
    assert state.reauth_open and state.pending_reveal == unit
    assert state.open_dialog == "readers"  # asked inside the readers panel, not in a second dialog
    _call(ReadRightsState, state, "reauthenticate", {"password": "wrong"})
    assert set(state.errors) == {"password"} and state.reauth_open
    shown = _call(ReadRightsState, state, "reauthenticate", {"password": PASSWORD})
    assert "unit-key" in str(shown) and not state.reauth_open and state.pending_reveal == ""
    assert PASSWORD not in str(state.dict())


def test_an_old_sign_in_asks_the_key_reader_for_the_password_before_a_key_shows(world: World):
    _age_session(world.reader_token, 60)
    state = state_as(KeyReaderState, world.reader_token)
    _call(KeyReaderState, state, "load")
    unit = str(world.assigned_id)
    assert _call(KeyReaderState, state, "show", unit) is None
    assert state.reauth_open and state.pending_reveal == unit and state.shown_ids == []
    assert state.open_dialog == "reauth"
    shown = _call(KeyReaderState, state, "reauthenticate", {"password": PASSWORD})
    assert f"reader-key-{unit}" in str(shown) and state.shown_ids == [unit] and not state.reauth_open
    assert state.open_dialog == ""
    # Closing the question forgets what was asked.
    _age_session(world.reader_token, 60)
    _call(KeyReaderState, state, "show", unit)
    _call(KeyReaderState, state, "dialog_open_change", False)
    assert state.pending_reveal == "" and not state.reauth_open and state.open_dialog == ""


def test_an_administrator_is_refused_every_key_and_the_refusal_is_audited(world: World):
    with session_scope() as db:
        token = _account(db, Role.ADMIN, None, f"admin-{uuid.uuid4().hex[:8]}@example.org")
    with session_scope() as db:
        admin_id = resolve_principal(db, token).user_id
    distributor = state_as(ReadRightsState, token)
    distributor.panel_unit_id = str(world.own.unit_ids[1])
    for state_class, state, name, args in (
        (ReadRightsState, distributor, "show_unit_key", ()),
        (KeyReaderState, state_as(KeyReaderState, token), "show", (str(world.assigned_id),)),
        (KeyExportState, state_as(KeyExportState, token), "export", ({"format": "csv"},)),
        (ReadRightsState, state_as(ReadRightsState, token), "assign", ({"email": world.reader_email},)),
    ):
        with pytest.raises(AccessDenied):
            _call(state_class, state, name, *args)
    with session_scope() as db:
        refused = db.exec(
            select(AuditEntry.detail).where(
                AuditEntry.action == "access.refused", AuditEntry.actor_user_id == admin_id
            )
        ).all()
    assert len(refused) == 4 and any("show_unit_key" in detail for detail in refused)
