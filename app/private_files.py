"""Files only this service's OS user may read: the SQLite database, keys, secrets and the spool.

Each is created with its final mode (0600 files, 0700 directories) instead of being chmod'ed after
it was written, so there is no moment at which another local user can open it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from app.config import settings

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700


def _tighten(path: Path, mode: int) -> None:
    with contextlib.suppress(FileNotFoundError, PermissionError):
        if stat.S_IMODE(path.stat().st_mode) & ~mode:
            path.chmod(mode)


def _owned_by_us(path: Path) -> bool:
    # The runtime folder (database, master key, auth secret, spool), `DATA_DIR`: ours to tighten.
    resolved = path.resolve()
    data = settings.data_dir.resolve()
    return resolved == data or data in resolved.parents


def private_directory(path: Path, *, tighten: bool = False) -> Path:
    """`path` as a directory, created 0700 when missing. An existing one is narrowed to 0700 when
    it is the project's `data/` (or inside it) or `tighten` says it is ours; a shared parent such
    as /tmp is left alone."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIRECTORY)
    if tighten or _owned_by_us(path):
        _tighten(path, PRIVATE_DIRECTORY)
    return path


def make_private(path: Path) -> None:
    """Narrow an existing file of ours (one written before files were private) to 0600."""
    _tighten(path, PRIVATE_FILE)


def open_private(path: Path, flags: int) -> int:
    """`os.open` of a file created 0600 (an existing one is narrowed to 0600 too)."""
    descriptor = os.open(path, flags, PRIVATE_FILE)
    with contextlib.suppress(PermissionError):
        if stat.S_IMODE(os.fstat(descriptor).st_mode) & ~PRIVATE_FILE:
            os.fchmod(descriptor, PRIVATE_FILE)
    return descriptor


def create_private_file_once(path: Path, content: str) -> bool:
    """Write `content` to `path` (0600) unless the file exists; False when another process won.

    The file appears whole and private: written under a temporary name, then linked into place.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = open_private(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)
