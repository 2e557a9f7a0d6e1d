"""The shared conformance corpus of real frames (read in place: most of it may not be copied)."""

from __future__ import annotations

import json
import math
import os
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# A clock without UTC deviation is local time; the corpus meters are Nordic/Dutch (same rules).
LOCAL_ZONE = ZoneInfo("Europe/Oslo")


def vectors_dir() -> Path:
    """METERPORTAL_VECTORS, else ../shared/vectors beside the checkout, else the workplace copy."""
    override = os.environ.get("METERPORTAL_VECTORS")
    if override:
        return Path(override)
    beside_checkout = Path(__file__).resolve().parents[2].parent / "shared" / "vectors"
    workplace = Path("/work/shared/vectors")
    return beside_checkout if beside_checkout.exists() or not workplace.exists() else workplace


def load(name: str) -> list[dict[str, Any]]:
    path = vectors_dir() / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def cases(*names: str) -> list[tuple[str, int, dict[str, Any]]]:
    return [(name, index, row) for name in names for index, row in enumerate(load(name))]


def case_id(case: tuple[str, int, dict[str, Any]]) -> str:
    name, index, row = case
    return f"{name.split('.')[0]}:{index}:{row.get('meter', '')[:24]}"


def as_utc(expected: str) -> datetime:
    """An expected clock; naive ones are local time."""
    moment = datetime.fromisoformat(expected)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.astimezone(ZoneInfo("UTC"))


def same_value(expected: Any, got: Any, rel: float = 1e-5) -> bool:
    """Numbers within a small tolerance; numeric strings against numbers; None, '' and absent alike."""
    if expected is None or expected == "":
        return got is None or got == ""
    if isinstance(expected, bool):
        return got == expected
    if isinstance(expected, (int, float)):
        if isinstance(got, str):
            try:
                got = float(got)
            except ValueError:
                return False
        if not isinstance(got, (int, float)):
            return False
        return math.isclose(got, expected, rel_tol=rel, abs_tol=1e-6)
    if isinstance(expected, str) and isinstance(got, str):
        # Identifiers padded with NUL bytes: the decoder drops the padding.
        return got == expected.rstrip("\x00")
    return expected == got
