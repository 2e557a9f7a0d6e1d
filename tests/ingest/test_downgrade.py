"""Issue 10, item 1: a meter whose key we hold is believed only when its data arrived encrypted (and
authenticated where its key authenticates) with that key; anything else is refused, counted, shown."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from ingest_factories import readings_in
from sqlmodel import Session

from app.db import get_engine
from app.ingest.frame_builders import (
    HeatMeterState,
    _axdr_length,
    glo_cipher,
    han_list3_apdu,
    hdlc_frame,
    wmbus_heat_telegram,
)
from app.ingest.han_json import decode_han_json
from app.ingest.keyring import KeyRing
from app.ingest.sources.mqtt import MqttSource, Subscription
from app.ingest.store import ReadingStore
from app.ingest.worker import FramePipeline
from app.models import Role
from app.services.keys.sealing import add_key
from app.states.staff.ingest_status import IngestState
from tests.handler_callers import session_token, state_as

ENC = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
AUTH = bytes.fromhex("d0d1d2d3d4d5d6d7d8d9dadbdcdddedf")
TITLE = bytes.fromhex("4149444d10203040")  # "AIDM" + number
OTHER_ENC = bytes.fromhex("f0e0d0c0b0a090807060504030201000")
OTHER_TITLE = bytes.fromhex("4b464d0000000001")
WMBUS_KEY = bytes.fromhex("51728910e66d83f851728910e66d83f8")
CLOCK = datetime(2026, 2, 1, 12, tzinfo=UTC)
HEAT = HeatMeterState(777_000, 10, 60.0, 40.0)


def _keys(engine, *extra: tuple) -> None:
    with Session(engine) as db:
        add_key(db, "AID57000000", ENC, AUTH, system_title=TITLE)  # a HAN meter that authenticates
        add_key(db, "KAM57000074", WMBUS_KEY)  # a wireless heat meter (mode 5)
        for serial, key, auth_key, title in extra:
            add_key(db, serial, key, auth_key, system_title=title)
        db.commit()


def _pipeline(store: ReadingStore, engine, name: str = "test:downgrade") -> FramePipeline:
    return FramePipeline(store, store.source(name, "mqtt", "collected"), KeyRing(engine))


def _han_apdu(meter: str = "AID57000000", hour: int = 0) -> bytes:
    return han_list3_apdu(meter, CLOCK.replace(hour=12 + hour), 4_322_750 + hour, 1250)


def _encrypted_without_tag(apdu: bytes, title: bytes, key: bytes, counter: int = 7) -> bytes:
    """general-glo-ciphering with encryption only (security control 0x20): AES-CTR, no tag."""
    iv = title + counter.to_bytes(4, "big") + b"\x00\x00\x00\x02"
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    content = b"\x20" + counter.to_bytes(4, "big") + encryptor.update(apdu) + encryptor.finalize()
    return b"\xdb\x08" + title + _axdr_length(len(content)) + content


def _mode5_header_with_plaintext(meter: str) -> bytes:
    """A telegram whose header claims mode 5 but whose body is plaintext (`2F2F` + records)."""
    telegram = bytearray(wmbus_heat_telegram(meter, HEAT, None, 3))
    body = telegram[15:]
    body += b"\x2f" * (-len(body) % 16)
    configuration = (5 << 8) | ((len(body) // 16) << 4)
    telegram[13:15] = configuration.to_bytes(2, "little")
    forged = telegram[:15] + body
    forged[0] = len(forged) - 1
    return bytes(forged)


def test_plaintext_mqtt_json_claiming_a_keyed_meter_is_refused(store, engine, meters):
    _keys(engine)
    pipeline = _pipeline(store, engine)
    mqtt_source = MqttSource("mqtt://127.0.0.1:1", [Subscription.parse("ams/+")], pipeline)
    forged = {"data": {"id": "AID57000000", "P": 99_000, "tPI": 1.0, "rtc": int(CLOCK.timestamp())}}
    unkeyed = {"data": {"id": "KAM57000111", "P": 1000, "tPI": 5.0, "rtc": int(CLOCK.timestamp())}}
    mqtt_source.handle_payload("ams/1", json.dumps(forged).encode())
    mqtt_source.handle_payload("ams/1", json.dumps(unkeyed).encode())
    store.flush()
    assert {row[0] for row in readings_in(engine)} == {meters["KAM57000111"]}
    assert pipeline.source.frames_refused == 1 and pipeline.source.frames_ok == 1
    assert pipeline.source.last_error == "plaintext data for AID57000000, whose key we hold"


def test_unencrypted_wireless_telegrams_claiming_a_keyed_meter_are_refused(store, engine, meters):
    _keys(engine)
    pipeline = _pipeline(store, engine)
    pipeline.handle_frame(wmbus_heat_telegram("57000074", HEAT, None, 3))
    pipeline.handle_frame(_mode5_header_with_plaintext("57000074"))
    store.flush()
    assert readings_in(engine) == [] and pipeline.source.frames_refused == 2
    pipeline.handle_frame(wmbus_heat_telegram("57000074", HEAT, WMBUS_KEY, 4))
    store.flush()
    assert readings_in(engine, "heat_energy")[0][0:4:3] == (meters["KAM57000074"], 777.0)
    assert pipeline.source.frames_refused == 2


def test_a_keyed_han_meter_is_believed_only_encrypted_and_authenticated_with_its_own_key(
    store, engine, meters
):
    # A customer may hold the keys of their own meter: they must not open the way for another.
    _keys(engine, ("ATTACKER01", OTHER_ENC, AUTH, OTHER_TITLE))
    pipeline = _pipeline(store, engine)
    refused = [
        hdlc_frame(_han_apdu()),  # plaintext
        hdlc_frame(_encrypted_without_tag(_han_apdu(), TITLE, ENC)),  # no tag, the key authenticates
        # a key someone else holds, claiming this meter's id inside
        hdlc_frame(glo_cipher(_han_apdu(), OTHER_TITLE, OTHER_ENC, AUTH, 9)),
    ]
    for frame in refused:
        pipeline.feed_hdlc(frame)
    store.flush()
    assert readings_in(engine) == [] and pipeline.source.frames_refused == 3
    assert "system title 4b464d0000000001" in pipeline.source.last_error
    pipeline.feed_hdlc(hdlc_frame(glo_cipher(_han_apdu(hour=1), TITLE, ENC, AUTH, 10)))
    store.flush()
    assert [row[3] for row in readings_in(engine, "1-0:1.8.0")] == [4322.751]
    assert pipeline.source.frames_refused == 3


def test_a_key_without_authentication_accepts_encrypted_frames(store, engine, meters):
    with Session(engine) as db:
        add_key(db, "AID57000000", ENC, system_title=TITLE)
        db.commit()
    pipeline = _pipeline(store, engine)
    pipeline.feed_hdlc(hdlc_frame(_encrypted_without_tag(_han_apdu(), TITLE, ENC)))
    pipeline.feed_hdlc(hdlc_frame(_han_apdu(hour=1)))
    store.flush()
    assert [row[3] for row in readings_in(engine, "1-0:1.8.0")] == [4322.75]
    assert pipeline.source.frames_refused == 1


def test_refusals_are_counted_on_the_status_page(app_database_url, tmp_path):
    engine = get_engine()
    with Session(engine) as db:
        add_key(db, "REFUSED0001", ENC)
        db.commit()
    store = ReadingStore(engine, tmp_path / "spool.jsonl", refresh=None)
    pipeline = _pipeline(store, engine, "mqtt:refusals")
    for _ in range(2):
        pipeline.handle_decoded(decode_han_json(json.dumps({"data": {"id": "REFUSED0001", "P": 1}})))
    store.flush()
    state = state_as(IngestState, session_token(Role.ADMIN))
    asyncio.run(IngestState.load_sources.fn(state))
    row = next(s for s in state.sources if s["name"] == "mqtt:refusals")
    assert row["frames_refused"] == "2"


@pytest.mark.parametrize("ref", ["KAM57000074", "57000074"])
def test_the_meter_is_recognised_by_its_serial_or_its_number(engine, meters, ref):
    _keys(engine)
    protection = KeyRing(engine).protection(ref)
    assert protection is not None and protection.serial == "KAM57000074"
    assert KeyRing(engine).protection("KAM57000111") is None


def test_a_flood_of_forged_frames_is_counted_but_logged_once_per_meter(store, engine, meters, caplog):
    _keys(engine)
    pipeline = _pipeline(store, engine)
    with caplog.at_level(logging.WARNING, logger="app.ingest.worker"):
        for _ in range(50):
            pipeline.handle_frame(wmbus_heat_telegram("57000074", HEAT, None, 3))
    assert pipeline.source.frames_refused == 50
    assert len([r for r in caplog.records if "refused a frame" in r.getMessage()]) == 1
