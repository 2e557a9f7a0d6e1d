"""The key file the ingestion worker reads (`python -m app.ingest keys import FILE.json`):
``{"format": "meterportal-keys", "version": 1, "keys": [{"serial", "key", "auth_key",
"system_title", "kind"}]}``; the key service exports it, the worker's import reads it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from app.models import MeterKey
from app.services.keys.sealing import OpenedKey

FORMAT = "meterportal-keys"


def worker_json(units: Iterable[tuple[MeterKey, OpenedKey]]) -> bytes:
    keys = [
        {
            "serial": row.serial,
            "kind": row.kind,
            "key": opened.encryption_key.hex().upper(),
            "auth_key": opened.authentication_key.hex().upper() if opened.authentication_key else None,
            "system_title": row.system_title,
        }
        for row, opened in units
    ]
    return json.dumps({"format": FORMAT, "version": 1, "keys": keys}, indent=2).encode()


def worker_json_as_csv(text: str) -> str:
    """The same keys as the CSV the key import reads (serial,key,auth_key,system_title,kind)."""
    document = json.loads(text)
    entries = document.get("keys", []) if isinstance(document, dict) else document
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["serial", "key", "auth_key", "system_title", "kind"])
    for entry in entries:
        writer.writerow(
            [str(entry.get(name) or "") for name in ("serial", "key", "auth_key", "system_title", "kind")]
        )
    return out.getvalue()
