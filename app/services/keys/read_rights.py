"""Read rights: a distributor hands the keys of chosen units to a person by e-mail address.

An address without an account gets an invitation to register (the accounts' activation link; the
account it creates is a key reader); a registered person gets a notice. Only a key reader can use
read rights (``/nokler/mine``): an address whose account has another role (a distributor, an
installer, staff) is refused next to the field, nothing is stored or mailed, and the attempt is
audited as refused. Units the person already reads are not assigned, mailed or audited again.
Rights are revoked per unit or per reader. ``meter_key.reader_count`` is kept here, in the same
transaction as the rights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from app import routes
from app.clock import utcnow
from app.models import AccountTokenPurpose, KeyReadRight, MeterKey, Organisation, Role, User
from app.services.accounts.accounts import ACTIVATION_PATH, normalise_email
from app.services.accounts.tokens import issue_token
from app.services.audit import record_audit
from app.services.caller import Caller
from app.services.errors import DomainError
from app.services.form_errors import FieldErrors
from app.services.keys.fresh_authentication import claim_reveal
from app.services.keys.key_audit import audit_units
from app.services.keys.sealing import open_unit_keys
from app.services.keys.unit_access import (
    chunks,
    managed_scope,
    managed_unit_serials,
    readable_units,
    reader_scope,
)
from app.services.keys.units import UnitPage, UnitQuery, unit_page
from app.services.notify.mail import public_link
from app.services.notify.outbox import queue_mail

# The roles whose accounts can hold read rights: a key reader, and a registered account without an
# organisation (it becomes a key reader). Every other role has a portal of its own and no /nokler/mine.
_READER_ROLES = frozenset({Role.KEY_READER.value, Role.REGISTERED.value})


@dataclass(frozen=True)
class AssignOutcome:
    assigned: int  # new rights
    already: int  # units the person could already read
    invited: bool  # an invitation to register was mailed (else a notice; nothing when assigned is 0)


@dataclass(frozen=True)
class ReaderRow:
    email: str
    name: str
    granted_at: datetime
    registered: bool


@dataclass(frozen=True)
class ShownKey:
    serial: str
    encryption_key_hex: str
    authentication_key_hex: str | None


def _address(email: str) -> str:
    try:
        return normalise_email(email)
    except FieldErrors as error:
        raise DomainError(error.errors.get("email", "email.invalid"), field="email") from None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _organisation_name(db: Session, caller: Caller) -> str:
    organisation = db.get(Organisation, caller.organisation_id) if caller.organisation_id else None
    return organisation.name if organisation else "meterportal"


def _refuse_non_reader(db: Session, caller: Caller, serials: dict[int, str], address: str) -> DomainError:
    """Audit (and commit) an assignment refused because the address's account cannot read keys."""
    audit_units(
        db,
        "key.assign",
        caller,
        sorted(serials.values()),
        outcome="refused",
        detail=f"to {address} (refused: not a key reader)",
    )
    db.commit()
    return DomainError("keys.error.not_a_reader", field="email")


def _reader_account(db: Session, address: str, language: str) -> tuple[User, bool]:
    """The account behind the address (one of ``_READER_ROLES``), created as a key reader without
    a password when there is none yet; and whether it still has to register."""
    account = db.exec(select(User).where(User.email == address)).first()
    if account is None:
        account = User(email=address, role=Role.KEY_READER.value, language=language)
        db.add(account)
        db.flush()
    elif account.role == Role.REGISTERED.value and account.is_active:
        # Registered but without an organisation: the right gives them the key reader's portal.
        account.role = Role.KEY_READER.value
        db.add(account)
    return account, not account.password_hash


def _existing_rights(db: Session, user_id: int, unit_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(unit_ids):
        found.update(
            db.exec(
                select(KeyReadRight.unit_id).where(
                    KeyReadRight.user_id == user_id, col(KeyReadRight.unit_id).in_(chunk)
                )
            ).all()
        )
    return found


def _count_readers(db: Session, unit_ids: Sequence[int], change: int) -> None:
    for chunk in chunks(unit_ids):
        db.execute(
            update(MeterKey)
            .where(col(MeterKey.id).in_(chunk))
            .values(reader_count=col(MeterKey.reader_count) + change)
            .execution_options(synchronize_session=False)
        )


def assign_read_rights(
    db: Session, caller: Caller, unit_ids: Sequence[int], email: str, *, language: str = "nb"
) -> AssignOutcome:
    """Let the person at ``email`` read the keys of these units (the caller's own units only).

    Units they already read are left as they are; when every unit is such, nothing is stored,
    mailed or audited. An account that cannot read keys is refused (``keys.error.not_a_reader``).
    """
    serials = managed_unit_serials(db, caller, unit_ids)
    address = _address(email)
    if not serials:
        raise DomainError("keys.error.no_units")
    existing = db.exec(select(User).where(User.email == address)).first()
    if existing is not None and existing.role not in _READER_ROLES:
        raise _refuse_non_reader(db, caller, serials, address)
    account, must_register = _reader_account(db, address, language)
    assert account.id is not None
    already = _existing_rights(db, account.id, list(serials))
    new_ids = sorted(set(serials) - already)
    if not new_ids:
        return AssignOutcome(assigned=0, already=len(already), invited=False)
    now = utcnow()
    db.execute(
        insert(KeyReadRight),
        [
            {
                "unit_id": unit_id,
                "user_id": account.id,
                "granted_by_user_id": caller.user_id,
                "granted_at": now,
            }
            for unit_id in new_ids
        ],
    )
    _count_readers(db, new_ids, +1)
    _tell_of_new_rights(db, caller, account, len(new_ids), must_register, language)
    audit_units(
        db,
        "key.assign",
        caller,
        sorted(serials[i] for i in new_ids),
        detail=f"to {address}" + (" (invited)" if must_register else ""),
    )
    return AssignOutcome(assigned=len(new_ids), already=len(already), invited=must_register)


def _tell_of_new_rights(
    db: Session, caller: Caller, account: User, count: int, must_register: bool, language: str
) -> None:
    """An invitation to register, or a notice, naming how many units were newly assigned."""
    address, language = account.email or "", account.language or language
    organisation = _organisation_name(db, caller)
    if not account.is_active:
        # Deactivated by an administrator: nothing is mailed (a link would undo the
        # deactivation), the distributor is told what any invitation tells, and the
        # administrator finds the attempt in the audit trail (issue 20.5).
        record_audit(
            db,
            "account.invitation_suppressed",
            caller,
            subject_type="user",
            subject_id=account.id or "",
            outcome="refused",
            detail=f"read rights for {address} from {organisation}: account deactivated",
        )
    elif must_register:
        token = issue_token(db, AccountTokenPurpose.ACTIVATION, address, user_id=account.id, now=utcnow())
        link = public_link(f"{ACTIVATION_PATH}?{urlencode({'token': token})}")
        queue_mail(
            db,
            address,
            "key_invitation",
            language,
            link=link,
            organisation_id=caller.organisation_id,
            organisation=organisation,
            count=count,
        )
    else:
        queue_mail(
            db,
            address,
            "key_rights_granted",
            language,
            link=public_link(routes.KEYS_HOME),
            organisation_id=caller.organisation_id,
            organisation=organisation,
            count=count,
        )


def _revoke(db: Session, caller: Caller, account: User, serials: dict[int, str], how: str) -> int:
    assert account.id is not None
    held = sorted(_existing_rights(db, account.id, list(serials)))
    if not held:
        return 0  # nothing to take back: nothing changes, nothing is audited
    for chunk in chunks(held):
        db.execute(
            delete(KeyReadRight)
            .where(col(KeyReadRight.user_id) == account.id, col(KeyReadRight.unit_id).in_(chunk))
            .execution_options(synchronize_session=False)
        )
    _count_readers(db, held, -1)
    audit_units(
        db, "key.revoke", caller, sorted(serials[i] for i in held), detail=f"from {account.email} ({how})"
    )
    return len(held)


def revoke_read_rights(db: Session, caller: Caller, unit_ids: Sequence[int], email: str) -> int:
    """Take back the person's rights on these units; returns how many they held."""
    serials = managed_unit_serials(db, caller, unit_ids)
    account = db.exec(select(User).where(User.email == _address(email))).first()
    if account is None:
        return 0
    return _revoke(db, caller, account, serials, "per unit")


def revoke_reader(db: Session, caller: Caller, email: str) -> int:
    """Take back every right the person holds on the caller's organisation's units."""
    scope = managed_scope(caller)
    account = db.exec(select(User).where(User.email == _address(email))).first()
    if account is None:
        return 0
    rows = db.exec(
        select(MeterKey.id, MeterKey.serial)
        .join(KeyReadRight, col(KeyReadRight.unit_id) == MeterKey.id)
        .where(KeyReadRight.user_id == account.id, scope)
    ).all()
    return _revoke(db, caller, account, {unit_id: serial for unit_id, serial in rows}, "reader")  # type: ignore[misc]


def readers_of(db: Session, caller: Caller, unit_id: int) -> list[ReaderRow]:
    """Who may read this unit's keys, by e-mail address."""
    managed_unit_serials(db, caller, [unit_id])
    rows = db.exec(
        select(User.email, User.name, KeyReadRight.granted_at, User.password_hash)
        .join(KeyReadRight, col(KeyReadRight.user_id) == User.id)
        .where(KeyReadRight.unit_id == unit_id)
        .order_by(col(User.email))
    ).all()
    return [
        ReaderRow(email or "", name, _aware(granted_at), bool(password_hash))
        for email, name, granted_at, password_hash in rows
    ]


def reader_units(db: Session, caller: Caller, query: UnitQuery) -> UnitPage:
    """A key reader's page of the units assigned to them (nothing else exists for them)."""
    page = unit_page(db, [reader_scope(caller)], replace(query, assigned=""), join_rights=True)
    # How many others read a unit is the distributor's business, not the reader's.
    return replace(page, rows=[replace(row, readers=0) for row in page.rows])


def show_key(db: Session, caller: Caller, unit_id: int) -> ShownKey:
    """The keys of one unit, for its distributor or a reader holding the right, within minutes
    of the password and within the session's reveals (else ReauthenticationRequired); audited."""
    row = readable_units(db, caller, [unit_id])[0]
    claim_reveal(db, caller)
    opened = open_unit_keys(row)
    audit_units(db, "key.view", caller, [row.serial], detail="shown")
    return ShownKey(
        serial=row.serial,
        encryption_key_hex=opened.encryption_key.hex().upper(),
        authentication_key_hex=opened.authentication_key.hex().upper() if opened.authentication_key else None,
    )
