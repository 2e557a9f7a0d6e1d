"""`python -m app.ingest`: decode prints one JSON object or exits 2; keys and status work end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ingest_vectors import load, same_value

from app.ingest.frame_builders import glo_cipher, han_list3_apdu, hdlc_frame

ROOT = Path(__file__).resolve().parents[2]


def _cli(
    *args: str,
    env_extra: dict[str, str] | None = None,
    database_url: str | None = None,
    tmp: Path | None = None,
) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    if database_url:
        env["DATABASE_URL"] = database_url
    if tmp is not None:
        env["INGEST_SPOOL_DIR"] = str(tmp / "spool")
    return subprocess.run(
        [sys.executable, "-m", "app.ingest", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_decode_prints_the_vector_names_and_units():
    rows = [row for row in load("han_hdlc.jsonl") if row.get("list") == "no_list_3"]
    if not rows:
        pytest.skip("the shared vectors are not here")
    row = rows[0]
    result = _cli("decode", row["hex"])
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    for name, expected in row["expected"].items():
        if name == "meter_datetime":
            assert output[name].startswith("20")
            continue
        assert same_value(expected, output.get(name)), name
    assert output["units"]["active_power_import"] == "W"
    assert output["units"]["active_power_import_total"] == "Wh"


@pytest.mark.parametrize("frame", ["7e a0 08 41 08 83 13 00 00 7e", "not a frame", "7ea0"])
def test_rejected_input_exits_2_with_the_reason_on_stderr(frame):
    result = _cli("decode", frame)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip()


def test_keys_added_by_cli_decrypt_a_frame_without_key_arguments(database_url, tmp_path):
    key, auth = "0f" * 16, "a5" * 16
    title = b"KAM" + bytes.fromhex("0057000002")
    frame = hdlc_frame(
        glo_cipher(
            han_list3_apdu(
                "KAM57000002", datetime(2026, 1, 1, tzinfo=UTC), 5_000_000, 900, manufacturer="Kamstrup"
            ),
            title,
            bytes.fromhex(key),
            bytes.fromhex(auth),
            7,
        )
    )
    env = {"MASTER_KEY_FILE": str(tmp_path / "master.key")}
    refused = _cli("decode", frame.hex(), database_url=database_url, env_extra=env)
    assert refused.returncode == 2 and "no key" in refused.stderr
    added = _cli(
        "keys",
        "add",
        "KAM57000002",
        "--key",
        key,
        "--auth-key",
        auth,
        "--system-title",
        title.hex(),
        database_url=database_url,
        env_extra=env,
    )
    assert added.returncode == 0, added.stderr
    decoded = _cli("decode", frame.hex(), database_url=database_url, env_extra=env)
    assert decoded.returncode == 0, decoded.stderr
    assert json.loads(decoded.stdout)["active_power_import_total"] == 5_000_000
    bad = _cli("keys", "add", "X", "--key", "12", database_url=database_url, env_extra=env)
    assert bad.returncode == 2 and "16 bytes" in bad.stderr


def test_import_csv_then_status(database_url, engine, meters, tmp_path):
    path = tmp_path / "hours.csv"
    path.write_text(
        "meter,timestamp,kWh\nKAM57000074,2026-01-01T00:00:00Z,1.25\nKAM57000074,2026-01-01T01:00:00Z,2\n"
    )
    imported = _cli("import-csv", str(path), database_url=database_url, tmp=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "readings stored 2, already stored 0" in imported.stdout
    # The same file again: nothing stored, and the status counts what was stored, not what was sent.
    again = _cli("import-csv", str(path), database_url=database_url, tmp=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "stored 0, already stored 2" in again.stdout
    status = _cli("status", database_url=database_url)
    assert status.returncode == 0
    assert "csv:hours.csv" in status.stdout and "collected" in status.stdout
    as_json = json.loads(_cli("status", "--json", database_url=database_url).stdout)
    assert (as_json[0]["readings_stored"], as_json[0]["readings_duplicate"]) == (2, 2)


def test_import_csv_names_each_refused_line_and_exits_1(database_url, engine, meters, tmp_path):
    path = tmp_path / "autumn.csv"
    path.write_text("KAM57000074,2026-10-25 01:00,1\nKAM57000074,2026-10-25 02:00,2\n")
    imported = _cli("import-csv", str(path), database_url=database_url, tmp=tmp_path)
    assert imported.returncode == 1
    assert "autumn.csv line 2: local time 2026-10-25 02:00 comes twice" in imported.stderr
    assert "stored 1" in imported.stdout
