"""Issue 10, item 15: the key-use audit names the operator: the OS user and host of the CLI (and of
the worker), and `decode` at a shell is audited as the CLI, not as the worker."""

from __future__ import annotations

import getpass
import json
import socket
import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app.db import get_engine
from app.ingest.__main__ import main
from app.ingest.frame_builders import glo_cipher, han_list3_apdu, hdlc_frame
from app.ingest.keyring import KeyRing
from app.models import AuditEntry

KEY, AUTH = "0f" * 16, "a5" * 16


@pytest.fixture
def operator(monkeypatch) -> str:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")
    monkeypatch.setattr(socket, "gethostname", lambda: "ops-host-1")
    return "alice@ops-host-1"


def _audits(action: str, detail_part: str) -> list[AuditEntry]:
    with Session(get_engine()) as db:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return [entry for entry in db.exec(query) if detail_part in entry.detail or detail_part == "*"]


def _serial_and_title() -> tuple[str, bytes]:
    number = uuid.uuid4().int % 10**10
    return f"KAM{number:010d}", b"KAM" + number.to_bytes(5, "big")


def test_keys_add_decode_and_export_at_a_shell_record_the_os_user_and_host(
    app_database_url, operator, capsys
):
    serial, title = _serial_and_title()
    assert main(["keys", "add", serial, "--key", KEY, "--auth-key", AUTH, "--system-title", title.hex()]) == 0
    frame = hdlc_frame(
        glo_cipher(
            han_list3_apdu(serial, datetime(2026, 1, 1, tzinfo=UTC), 5_000_000, 900, manufacturer="Kamstrup"),
            title,
            bytes.fromhex(KEY),
            bytes.fromhex(AUTH),
            7,
        )
    )
    capsys.readouterr()
    assert main(["decode", frame.hex()]) == 0
    assert json.loads(capsys.readouterr().out)["active_power_import_total"] == 5_000_000
    exports_before = len(_audits("key.export", "*"))
    assert main(["keys", "export"]) == 0
    (added,) = _audits("key.add", serial)
    (viewed,) = _audits("key.view", serial)
    exported = _audits("key.export", "*")[exports_before:]
    assert len(exported) == 1
    for entry in (added, viewed, *exported):
        assert (entry.actor_role, entry.client_address) == ("cli", operator), entry.action


def test_the_worker_opening_a_key_records_its_os_user_and_host(app_database_url, operator):
    serial, title = _serial_and_title()
    assert main(["keys", "add", serial, "--key", KEY, "--system-title", title.hex()]) == 0
    assert KeyRing(get_engine())(title) is not None
    (viewed,) = _audits("key.view", serial)
    assert (viewed.actor_role, viewed.client_address) == ("ingest_worker", operator)
