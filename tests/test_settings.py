"""Issue 11 item 6: every setting is read once, into app/config.py Settings."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import PROJECT_ROOT, Settings
from app.services import server_secret as server_secret_module


def test_ingest_and_auth_secret_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INGEST_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("INGEST_AUTO_CREATE_METERS", "1")
    monkeypatch.setenv("AUTH_SECRET", "s3cret")
    settings = Settings()
    assert settings.ingest_spool_dir == tmp_path / "spool" and settings.ingest_auto_create_meters
    assert settings.auth_secret == "s3cret"


def test_the_server_secret_is_the_configured_one(monkeypatch):
    monkeypatch.setattr(server_secret_module, "settings", Settings(auth_secret="from settings"))
    server_secret_module.server_secret.cache_clear()
    try:
        assert server_secret_module.server_secret() == b"from settings"
    finally:
        server_secret_module.server_secret.cache_clear()


def test_nothing_but_the_settings_reads_the_environment():
    readers = re.compile(r"os\.environ|os\.getenv|getenv\(")
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "app").rglob("*.py")
        if path != PROJECT_ROOT / "app" / "config.py" and readers.search(Path(path).read_text())
    ]
    assert offenders == []
