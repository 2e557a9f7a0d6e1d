"""Key files are parsed by defusedxml: a DTD is refused whatever the document's encoding."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.services.keys.kem import NotAKemFile, decrypt_kem, parse_kem_xml

PASSWORD = "Kunde4711"
INNER = (
    '<?xml version="1.0" encoding="utf-8"?><MetersInOrder><Meter><SerialNo>57000010</SerialNo>'
    "<MeterNo>1</MeterNo><ConsumptionType>Heat</ConsumptionType>"
    "<DEK>28F64A24988064A079AA2C807D6102AE</DEK></Meter></MetersInOrder>"
)


def _cipher_value() -> str:
    key = PASSWORD.encode().ljust(16, b"\x00")
    plain = INNER.encode()
    plain += b"\x00" * (-len(plain) % 16)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def _outer(encoding: str, *, with_entity: bool) -> bytes:
    """The <EncryptedData> document; with an entity, the cipher value comes from the DTD."""
    dtd = f'<!DOCTYPE EncryptedData [<!ENTITY cv "{_cipher_value()}">]>' if with_entity else ""
    value = "&cv;" if with_entity else _cipher_value()
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>{dtd}'
        '<EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#">'
        f"<CipherData><CipherValue>{value}</CipherValue></CipherData></EncryptedData>"
    )
    return text.encode(encoding)


def _zipped(document: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Order_4711.kem", document)
    return out.getvalue()


def test_a_plain_document_in_utf16_still_opens():
    xml = decrypt_kem(_zipped(_outer("utf-16", with_entity=False)), PASSWORD)
    assert [entry.serial for entry in parse_kem_xml(xml)] == ["57000010"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8"])
def test_a_doctype_with_an_entity_is_refused_in_any_encoding(encoding):
    with pytest.raises(NotAKemFile):
        decrypt_kem(_zipped(_outer(encoding, with_entity=True)), PASSWORD)
    with pytest.raises(NotAKemFile):
        decrypt_kem(_outer(encoding, with_entity=True), PASSWORD)


def test_a_billion_laughs_in_the_decrypted_list_is_refused():
    bomb = (
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><MetersInOrder><Meter><SerialNo>&b;</SerialNo>'
        "</Meter></MetersInOrder>"
    ).encode("utf-16")
    with pytest.raises(NotAKemFile):
        parse_kem_xml(bomb)
