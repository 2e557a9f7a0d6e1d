"""Every page asks for /favicon.ico: Reflex serves assets/ at the site root."""

from __future__ import annotations

import struct

from app.config import PROJECT_ROOT


def test_favicon_is_an_icon_with_the_usual_sizes():
    data = (PROJECT_ROOT / "assets" / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)  # an icon, not a cursor
    sizes = set()
    for index in range(count):
        width, _height, _colours, _zero, _planes, _bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.add(width)
    assert {16, 32} <= sizes
