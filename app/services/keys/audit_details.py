"""The key audit's detail texts, read back as an i18n key and its parameters.

The log stores a short English detail ("to rita@example.org (invited)", "format csv"), which the
CSV export keeps as it is; the audit page shows each known shape in the reader's language.
"""

from __future__ import annotations

import re

_SOURCE = r"(?P<file>.+) \((?P<kind>[a-z0-9]+)\)"
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"shown", "keys.audit.detail.shown"),
        (r"format (?P<format>\S+)", "keys.audit.detail.format"),
        (r"to (?P<email>\S+) \(refused: not a key reader\)", "keys.audit.detail.assign_refused"),
        (r"to (?P<email>\S+) \(invited\)", "keys.audit.detail.assigned_invited"),
        (r"to (?P<email>\S+)", "keys.audit.detail.assigned"),
        (r"from (?P<email>\S+) \(per unit\)", "keys.audit.detail.revoked"),
        (r"from (?P<email>\S+) \(reader\)", "keys.audit.detail.revoked_all"),
        (_SOURCE + r": (?P<good>\d+) good, (?P<bad>\d+) bad", "keys.audit.detail.staged"),
        (_SOURCE + r": nothing written", "keys.audit.detail.cancelled"),
        (
            _SOURCE + r": (?P<written>\d+) written, (?P<replaced>\d+) replaced, (?P<skipped>\d+) skipped",
            "keys.audit.detail.imported",
        ),
        (_SOURCE + r": (?P<written>\d+) written", "keys.audit.detail.written"),
        (_SOURCE + r": replaced existing keys", "keys.audit.detail.replaced"),
        (_SOURCE + r": skipped, key exists", "keys.audit.detail.skipped"),
    )
)


def detail_message(detail: str) -> tuple[str, dict[str, str]]:
    """The i18n key and parameters of a known detail; ("", {}) for any other text."""
    for pattern, key in _SHAPES:
        found = pattern.fullmatch(detail.strip())
        if found:
            return key, found.groupdict()
    return "", {}
