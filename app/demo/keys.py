"""Demo units of the encryption-key service: a few hundred Kamstrup meters and concentrators of
the demo distributor, their keys sealed like any others, and a demo key reader holding rights on a
few of them. Called by `app.demo` when it builds the master data."""

from __future__ import annotations

import os

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import KeyKind, KeyReadRight, MeterKey
from app.services.keys.sealing import seal_keys

DEMO_KEY_UNITS = 400
DEMO_READER_UNITS = 12
# (model, medium) of the demo meters; every tenth unit is a concentrator.
METER_MODELS = (
    ("MULTICAL 21", "water"),
    ("flowIQ 2200", "water"),
    ("MULTICAL 403", "district_heating"),
    ("MULTICAL 603", "district_heating"),
    ("OMNIPOWER", "electricity"),
)
CONCENTRATOR_MODEL = ("OMNIA Concentrator", "electricity")


def add_demo_key_units(db: Session, distributor_id: int, reader_user_id: int | None) -> None:
    """The units (serials and models fixed, keys random: demo keys protect nothing)."""
    now = utcnow()
    values = []
    for number in range(DEMO_KEY_UNITS):
        concentrator = number % 10 == 9
        model, medium = CONCENTRATOR_MODEL if concentrator else METER_MODELS[number % len(METER_MODELS)]
        serial = f"KAM{61000000 + number * 13:08d}"
        sealed = seal_keys(serial, os.urandom(16), os.urandom(16) if medium == "electricity" else None)
        values.append(
            {
                "serial": serial,
                "manufacturer": "KAM",
                "model": model,
                "medium": medium,
                "kind": (KeyKind.CONCENTRATOR if concentrator else KeyKind.METER).value,
                "owner_id": distributor_id,
                "reader_count": 1 if reader_user_id and number < DEMO_READER_UNITS else 0,
                "encryption_key_sealed": sealed.encryption_key_sealed,
                "authentication_key_sealed": sealed.authentication_key_sealed,
                "wrapped_data_key": sealed.wrapped_data_key,
                "master_key_id": sealed.master_key_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.execute(insert(MeterKey), values)
    if reader_user_id is None:
        return
    db.flush()
    first = db.exec(
        select(MeterKey.id)
        .where(MeterKey.owner_id == distributor_id)
        .order_by(col(MeterKey.serial))
        .limit(DEMO_READER_UNITS)
    ).all()
    db.execute(
        insert(KeyReadRight),
        [{"unit_id": unit_id, "user_id": reader_user_id, "granted_at": now} for unit_id in first],
    )
