"""Kamstrup key files (.kem / .kem2): read and, for tests and the demo, write them. No database.

A download is a ZIP (sometimes the bare XML) holding an XML-Encryption ``<EncryptedData>``
document: AES-128-CBC, the key is the export password as UTF-8 zero-padded to 16 bytes, and the
IV is that same key. The decrypted XML lists meters either as ``MetersInOrder/Meter`` (SerialNo,
MeterNo, ConsumptionType, DEK) or as ``Devices/Device`` (SerialNumber, ConsumptionTypeName, Value).
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree

from app.services.errors import DomainError

XMLENC = "http://www.w3.org/2001/04/xmlenc#"
AES128_CBC = XMLENC + "aes128-cbc"
# A key file of a whole district is a few MB; more is not a key file (or a ZIP bomb).
MAX_XML_BYTES = 50 * 1024 * 1024
_BLOCK = 16


class WrongKemPassword(DomainError):
    """The password does not open the key file."""

    field = "password"

    def __init__(self) -> None:
        super().__init__("keys.import.wrong_password", field="password")


class NotAKemFile(DomainError):
    """The content is neither a ZIP with a key file nor an ``<EncryptedData>`` document."""

    def __init__(self) -> None:
        super().__init__("keys.import.not_kem", field="file")


@dataclass(frozen=True)
class KemEntry:
    serial: str  # as the file has it: Kamstrup's serial number (digits)
    meter_number: str
    medium: str
    key_hex: str
    model: str = ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _password_key(password: str) -> bytes:
    return password.encode("utf-8")[:_BLOCK].ljust(_BLOCK, b"\x00")


def _encrypted_document(content: bytes) -> bytes:
    """The ``<EncryptedData>`` XML inside the download."""
    if zipfile.is_zipfile(io.BytesIO(content)):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [info for info in archive.infolist() if not info.is_dir()]
            preferred = [i for i in names if i.filename.lower().endswith((".kem", ".kem2", ".xml"))]
            if not (preferred or names):
                raise NotAKemFile()
            member = (preferred or names)[0]
            if member.file_size > MAX_XML_BYTES:
                raise NotAKemFile()
            with archive.open(member) as handle:
                data = handle.read(MAX_XML_BYTES + 1)
            if len(data) > MAX_XML_BYTES:
                raise NotAKemFile()
            return data
    return content


def _xml_root(document: bytes) -> ElementTree.Element:
    """Parse a key file with defusedxml, refusing any DTD: no entities to expand (billion laughs)
    or fetch (XXE), whatever the document's encoding (a byte search misses a UTF-16 ``<!DOCTYPE``)."""
    try:
        return DefusedElementTree.fromstring(document, forbid_dtd=True)
    except DefusedXmlException:
        raise ElementTree.ParseError("a DTD is not allowed") from None
    except ValueError:  # an encoding expat does not read ("multi-byte encodings are not supported")
        raise ElementTree.ParseError("unreadable encoding") from None


def _cipher_value(document: bytes) -> bytes:
    try:
        root = _xml_root(document)
    except ElementTree.ParseError:
        raise NotAKemFile() from None
    if _local(root.tag) != "EncryptedData":
        raise NotAKemFile()
    value = next((e.text for e in root.iter() if _local(e.tag) == "CipherValue"), None)
    try:
        ciphertext = base64.b64decode("".join((value or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise NotAKemFile() from None
    if not ciphertext or len(ciphertext) % _BLOCK:
        raise NotAKemFile()
    return ciphertext


def _unpad(plain: bytes) -> bytes:
    pad = plain[-1]
    if 1 <= pad <= _BLOCK and plain.endswith(bytes([pad]) * pad):
        return plain[:-pad]
    return plain.rstrip(b"\x00")  # Kamstrup's tools pad with zeros too


def decrypt_kem(content: bytes, password: str) -> bytes:
    """The decrypted XML of a .kem/.kem2 download; WrongKemPassword when the password is wrong."""
    ciphertext = _cipher_value(_encrypted_document(content))
    key = _password_key(password)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key)).decryptor()
    plain = _unpad(decryptor.update(ciphertext) + decryptor.finalize())
    # A wrong key yields noise: it is right only when an XML document comes out.
    text = plain.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"<"):
        raise WrongKemPassword()
    try:
        _xml_root(text)
    except ElementTree.ParseError:
        raise WrongKemPassword() from None
    return text


def _child_text(element: ElementTree.Element, *names: str) -> str:
    for child in element:
        if _local(child.tag) in names:
            return (child.text or "").strip()
    return ""


_MEDIA = {
    "heat": "district_heating",
    "heating": "district_heating",
    "districtheating": "district_heating",
    "cooling": "cooling",
    "heat/cooling": "district_heating",
    "water": "water",
    "coldwater": "water",
    "hotwater": "hot_water",
    "electricity": "electricity",
    "gas": "gas",
}


def medium_of(consumption_type: str) -> str:
    """The portal's medium for a key file's consumption type ("Heat" -> district_heating)."""
    name = consumption_type.strip().lower().replace(" ", "").replace("_", "")
    return _MEDIA.get(name, consumption_type.strip().lower())


def parse_kem_xml(xml: bytes) -> list[KemEntry]:
    """Every meter the decrypted key file lists, in file order (both layouts)."""
    try:
        root = _xml_root(xml)
    except ElementTree.ParseError:
        raise NotAKemFile() from None
    entries: list[KemEntry] = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "Meter" and any(_local(c.tag) == "SerialNo" for c in element):
            entries.append(
                KemEntry(
                    serial=_child_text(element, "SerialNo"),
                    meter_number=_child_text(element, "MeterNo"),
                    medium=medium_of(_child_text(element, "ConsumptionType")),
                    key_hex=_child_text(element, "DEK"),
                    model=_child_text(element, "MeterType", "Model"),
                )
            )
        elif name == "Device" and any(_local(c.tag) == "SerialNumber" for c in element):
            entries.append(
                KemEntry(
                    serial=_child_text(element, "SerialNumber"),
                    meter_number="",
                    medium=medium_of(_child_text(element, "ConsumptionTypeName")),
                    key_hex=_child_text(element, "Value"),
                    model=_child_text(element, "TypeName", "Model"),
                )
            )
    return entries


def kem_xml(entries: Iterable[KemEntry]) -> bytes:
    """The ``MetersInOrder`` layout of these entries (what a Kamstrup export decrypts to)."""
    root = ElementTree.Element("MetersInOrder")
    for entry in entries:
        meter = ElementTree.SubElement(root, "Meter")
        for tag, value in (
            ("SerialNo", entry.serial),
            ("MeterNo", entry.meter_number),
            ("ConsumptionType", entry.medium),
            ("MeterType", entry.model),
            ("DEK", entry.key_hex),
        ):
            ElementTree.SubElement(meter, tag).text = value
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def build_kem(entries: Iterable[KemEntry], password: str, *, name: str = "keys.kem") -> bytes:
    """A .kem download (ZIP) of these entries encrypted with ``password``: the inverse of reading."""
    plain = kem_xml(entries)
    pad = _BLOCK - len(plain) % _BLOCK
    key = _password_key(password)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    ciphertext = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
    document = (
        f'<?xml version="1.0" encoding="utf-8"?><EncryptedData xmlns="{XMLENC}" '
        f'Type="http://www.w3.org/2001/04/xmlenc#Element"><EncryptionMethod Algorithm="{AES128_CBC}"/>'
        f"<CipherData><CipherValue>{base64.b64encode(ciphertext).decode()}</CipherValue></CipherData>"
        "</EncryptedData>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, document)
    return out.getvalue()
