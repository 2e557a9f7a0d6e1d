"""``python -m app.accounts_cli create-admin EMAIL``: the only way to an administrator."""

from __future__ import annotations

import subprocess
import sys
import uuid

from sqlmodel import select

from app.accounts_cli.__main__ import main
from app.config import PROJECT_ROOT
from app.db import session_scope
from app.models import Role, User


def test_create_admin_prints_an_activation_link(app_database_url, capsys):
    address = f"root-{uuid.uuid4().hex[:8]}@example.org"
    assert main(["create-admin", address]) == 0
    out = capsys.readouterr().out
    assert "/konto/aktiver?token=" in out
    with session_scope() as db:
        user = db.exec(select(User).where(User.email == address)).one()
    assert user.role == Role.ADMIN.value and user.password_hash is None


def test_create_admin_refuses_an_existing_address(app_database_url, capsys):
    address = f"root-{uuid.uuid4().hex[:8]}@example.org"
    with session_scope() as db:
        db.add(User(email=address, role=Role.INSTALLER.value))
    assert main(["create-admin", address]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["create-admin", "not-an-address"]) == 2


def test_the_module_runs_as_a_command(app_database_url):
    completed = subprocess.run(
        [sys.executable, "-m", "app.accounts_cli", "create-admin", f"cli-{uuid.uuid4().hex[:8]}@example.org"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "token=" in completed.stdout
