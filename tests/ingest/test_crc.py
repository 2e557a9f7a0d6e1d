"""CRC check values from the CRC catalogue ("123456789")."""

from app.ingest.decoders.crc import crc16_arc, crc16_en13757, crc16_x25

CHECK = b"123456789"


def test_crc16_x25_check_value() -> None:
    assert crc16_x25(CHECK) == 0x906E


def test_crc16_arc_check_value() -> None:
    assert crc16_arc(CHECK) == 0xBB3D


def test_crc16_en13757_check_value() -> None:
    assert crc16_en13757(CHECK) == 0xC2B7


def test_empty_inputs() -> None:
    assert crc16_x25(b"") == 0x0000
    assert crc16_arc(b"") == 0x0000
    assert crc16_en13757(b"") == 0xFFFF


def test_x25_matches_a_bitwise_reference() -> None:
    def reference(data: bytes) -> int:
        crc = 0xFFFF
        for byte in data:
            crc ^= byte
            for _ in range(8):
                crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
        return crc ^ 0xFFFF

    for data in (b"\x00", b"\x7e\xa0", bytes(range(256)), b"meterportal" * 40):
        assert crc16_x25(data) == reference(data)
