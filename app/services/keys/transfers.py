"""Ownership transfers of key units between organisations: send, request, accept, decline, cancel.

- **Send**: the owner names a superuser (distributor) of another organisation by e-mail, confirms
  with a code mailed to themselves (``transfer_codes``), and the transfer waits for the recipient.
- **Request**: an organisation names serials; each owner's units become one transfer that waits
  for that owner. Which organisation owns a serial is never told to the requester.
- The side that did not start a transfer accepts or declines it; the side that started it may
  cancel it while it is open. Each decision is one conditional UPDATE of the transfer's status
  (``WHERE status = 'open'``): of racing decisions exactly one changes the row, the others find it
  decided and say so.
- **Acceptance** moves every unit or none, in one transaction: owner (the sealed keys are bound to
  the serial, not the owner, and stay as they are), an ownership history row per unit, the old
  owner's read rights end (their readers are mailed), both organisations are mailed, both audit
  logs show it. A unit that left the owner's hands meanwhile fails the transfer cleanly.
- A unit is in at most one open transfer: the unique ``key_transfer_unit.open_unit_id``.

Everything is audited under ``key.transfer_*`` actions, in the owner's and the other side's logs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, insert, literal, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import routes
from app.clock import utcnow
from app.models import (
    KeyOwnership,
    KeyReadRight,
    KeyTransfer,
    KeyTransferUnit,
    MeterKey,
    Organisation,
    Role,
    TransferKind,
    TransferStatus,
    User,
)
from app.services.access import refuse
from app.services.accounts.accounts import normalise_email
from app.services.caller import Caller
from app.services.errors import AccessDenied, DomainError
from app.services.form_errors import FieldErrors
from app.services.keys.key_audit import audit_units
from app.services.keys.transfer_codes import issue_transfer_code, redeem_transfer_code, subject_digest
from app.services.keys.unit_access import chunks, managed_scope, managed_unit_serials
from app.services.notify.mail import public_link
from app.services.notify.outbox import queue_mail
from app.services.paging import Page, PageRequest, page_window
from app.services.robot_check import redeem_proof

# Serial numbers as the key files and the guide write them: the maker's three letters ("KAM"),
# then digits.
SERIAL_FORMAT = re.compile(r"[A-Z]{3}[0-9]{4,37}")
_SERIAL_SEPARATORS = re.compile(r"[\s,;]+")
# A request names at most this many serials (a pasted list may be long, not unbounded).
MAX_REQUESTED = 10_000
OPEN_STATUSES = (TransferStatus.OPEN.value,)
CLOSED_STATUSES = tuple(s.value for s in TransferStatus if s != TransferStatus.OPEN)

SERIAL_OK, SERIAL_FORMAT_PROBLEM, SERIAL_UNKNOWN, SERIAL_OWN = "", "format", "unknown", "own"


@dataclass(frozen=True)
class Recipient:
    organisation_id: int
    organisation_name: str


@dataclass(frozen=True)
class SerialCheck:
    serial: str
    problem: str  # "" (may be requested), "format", "unknown" (no such unit), "own" (already yours)


@dataclass(frozen=True)
class TransferQuery(PageRequest):
    closed: bool = False


@dataclass(frozen=True)
class TransferRow:
    id: int
    kind: str  # send | request
    status: str
    outgoing: bool  # the caller's organisation gives the units away
    started_by_us: bool
    counterparty: str
    unit_count: int
    created_at: datetime
    decided_at: datetime | None
    started_by: str
    decided_by: str
    can_accept: bool
    can_decline: bool
    can_cancel: bool


TransferPage = Page[TransferRow]


# ---------------------------------------------------------------- who is who in a transfer


def _initiator(transfer: KeyTransfer) -> int:
    """The organisation that started it (may cancel)."""
    return (
        transfer.from_organisation_id
        if transfer.kind == TransferKind.SEND.value
        else transfer.to_organisation_id
    )


def _decider(transfer: KeyTransfer) -> int:
    """The organisation that answers it (accepts or declines)."""
    return (
        transfer.to_organisation_id
        if transfer.kind == TransferKind.SEND.value
        else transfer.from_organisation_id
    )


def _organisation_of(caller: Caller) -> int:
    if caller.is_role(Role.DISTRIBUTOR) and caller.organisation_id is not None:
        return caller.organisation_id
    raise AccessDenied("auth.denied")


def _reachable(db: Session, caller: Caller, transfer_id: int, action: str) -> KeyTransfer:
    """The transfer when the caller's organisation is one of its two sides; else refused (audited)."""
    organisation_id = _organisation_of(caller)
    transfer = db.get(KeyTransfer, transfer_id, populate_existing=True)
    if transfer is None or organisation_id not in (
        transfer.from_organisation_id,
        transfer.to_organisation_id,
    ):
        raise refuse(
            db,
            caller,
            action,
            f"transfer {transfer_id} is not theirs",
            subject_type="key_transfer",
            subject_id=transfer_id,
        )
    return transfer


def _name(db: Session, organisation_id: int | None) -> str:
    organisation = db.get(Organisation, organisation_id) if organisation_id else None
    return organisation.name if organisation else ""


def _superusers(db: Session, organisation_id: int) -> list[User]:
    return list(
        db.exec(
            select(User).where(
                User.organisation_id == organisation_id,
                User.role == Role.DISTRIBUTOR.value,
                col(User.is_active),
                col(User.email).is_not(None),
            )
        ).all()
    )


def _mail_organisation(db: Session, organisation_id: int, message_key: str, **params: object) -> None:
    for user in _superusers(db, organisation_id):
        queue_mail(
            db,
            user.email or "",
            message_key,
            user.language or "nb",
            organisation_id=organisation_id,
            link=public_link(routes.KEYS_TRANSFERS),
            **params,
        )


def _serials_of(db: Session, transfer_id: int) -> list[str]:
    return list(
        db.exec(
            select(KeyTransferUnit.serial)
            .where(KeyTransferUnit.transfer_id == transfer_id)
            .order_by(col(KeyTransferUnit.serial))
        ).all()
    )


def _audit_both(
    db: Session,
    action: str,
    caller: Caller,
    transfer: KeyTransfer,
    detail: str,
    serials: Sequence[str] | None = None,
    outcome: str = "ok",
) -> None:
    """The same audit rows in both organisations' logs (each sees the units and the other side)."""
    serials = _serials_of(db, transfer.id or 0) if serials is None else serials
    for organisation_id in (transfer.from_organisation_id, transfer.to_organisation_id):
        audit_units(
            db,
            action,
            caller,
            serials,
            organisation_id=organisation_id,
            outcome=outcome,
            detail=f"transfer {transfer.id} ({transfer.kind}) {detail}",
        )


# ---------------------------------------------------------------- send


def check_recipient(db: Session, caller: Caller, email: str) -> Recipient:
    """The organisation a send to ``email`` goes to: the address must be an active superuser's of
    another organisation; otherwise a reason fit to show next to the field."""
    organisation_id = _organisation_of(caller)
    try:
        address = normalise_email(email)
    except FieldErrors as error:
        raise DomainError(error.errors.get("email", "email.invalid"), field="email") from None
    user = db.exec(select(User).where(User.email == address)).first()
    if user is None or not user.is_active:
        raise DomainError("keys.transfer.error.unknown_recipient", field="email")
    if user.role != Role.DISTRIBUTOR.value or user.organisation_id is None:
        raise DomainError("keys.transfer.error.not_superuser", field="email")
    if user.organisation_id == organisation_id:
        raise DomainError("keys.transfer.error.own_organisation", field="email")
    return Recipient(user.organisation_id, _name(db, user.organisation_id))


def _units_to_send(db: Session, caller: Caller, unit_ids: Sequence[int]) -> dict[int, str]:
    if not unit_ids:
        raise DomainError("keys.dialog.nothing_selected")
    return managed_unit_serials(db, caller, unit_ids)  # AccessDenied for any unit not theirs


def request_send_code(
    db: Session, caller: Caller, unit_ids: Sequence[int], email: str, *, language: str = "nb"
) -> str:
    """Mail the sender the code that confirms sending these units to ``email``'s organisation;
    returns the code's public id (the browser holds it between the steps)."""
    recipient = check_recipient(db, caller, email)
    serials = _units_to_send(db, caller, unit_ids)
    user = db.get(User, caller.user_id) if caller.user_id else None
    if user is None or not user.email:
        raise AccessDenied("auth.denied")
    audit_units(
        db,
        "key.transfer_code",
        caller,
        sorted(serials.values()),
        organisation_id=caller.organisation_id,
        detail=f"code mailed to {user.email} to send to {recipient.organisation_name}",
    )
    return issue_transfer_code(
        db, user, subject_digest(recipient.organisation_id, list(serials)), language=language
    )


def send_units(
    db: Session, caller: Caller, unit_ids: Sequence[int], email: str, code_id: str, code: str | None
) -> KeyTransfer:
    """Open a transfer of these units (the caller's own) to ``email``'s organisation, confirmed by
    the mailed code. ``keys.transfer.error.busy`` when a unit is in another open transfer."""
    recipient = check_recipient(db, caller, email)
    serials = _units_to_send(db, caller, unit_ids)
    assert caller.user_id is not None
    redeem_transfer_code(
        db, caller.user_id, code_id, code, subject_digest(recipient.organisation_id, list(serials))
    )
    transfer = _open_transfer(
        db, caller, TransferKind.SEND, _organisation_of(caller), recipient.organisation_id, serials
    )
    _audit_both(
        db,
        "key.transfer_send",
        caller,
        transfer,
        f"sent to {recipient.organisation_name}",
        sorted(serials.values()),
    )
    _mail_organisation(
        db,
        recipient.organisation_id,
        "key_transfer_received",
        count=len(serials),
        organisation=_name(db, transfer.from_organisation_id),
    )
    db.commit()
    return transfer


def _busy_serials(db: Session, unit_ids: Sequence[int]) -> list[str]:
    busy: list[str] = []
    for chunk in chunks(sorted(unit_ids)):
        busy.extend(
            db.exec(select(KeyTransferUnit.serial).where(col(KeyTransferUnit.open_unit_id).in_(chunk))).all()
        )
    return sorted(busy)


def _busy_error(serials: Sequence[str]) -> DomainError:
    shown = ", ".join(serials[:20]) + (" …" if len(serials) > 20 else "")
    return DomainError("keys.transfer.error.busy", count=len(serials), serials=shown)


def _open_transfer(
    db: Session, caller: Caller, kind: TransferKind, from_id: int, to_id: int, serials: dict[int, str]
) -> KeyTransfer:
    """The transfer and its units, in the caller's transaction; only units ``from_id`` owns now are
    taken (checked in the same statement that writes them)."""
    busy = _busy_serials(db, list(serials))
    if busy:
        db.rollback()
        raise _busy_error(busy)
    transfer = KeyTransfer(
        kind=kind.value,
        from_organisation_id=from_id,
        to_organisation_id=to_id,
        created_by_user_id=caller.user_id,
        unit_count=len(serials),
        created_at=utcnow(),
    )
    db.add(transfer)
    try:
        db.flush()
        assert transfer.id is not None
        for chunk in chunks(sorted(serials)):
            db.execute(
                insert(KeyTransferUnit).from_select(
                    ["transfer_id", "unit_id", "serial", "open_unit_id"],
                    select(literal(transfer.id), MeterKey.id, MeterKey.serial, MeterKey.id).where(
                        col(MeterKey.id).in_(chunk), col(MeterKey.owner_id) == from_id
                    ),
                )
            )
        # (psycopg reports no row count for INSERT … SELECT: counted back instead)
        taken = db.exec(
            select(func.count())
            .select_from(KeyTransferUnit)
            .where(KeyTransferUnit.transfer_id == transfer.id)
        ).one()
    except IntegrityError:
        db.rollback()
        raise _busy_error(_busy_serials(db, list(serials)) or sorted(serials.values())) from None
    if taken != len(serials):
        db.rollback()
        raise DomainError("keys.transfer.error.stale")
    return transfer


# ---------------------------------------------------------------- request


def serial_list(text: str) -> list[str]:
    """The serials typed or pasted (white space, commas or semicolons between them), upper-case,
    duplicates merged, in the order given."""
    return list(dict.fromkeys(term.upper() for term in _SERIAL_SEPARATORS.split(text.strip()) if term))


def check_serials(db: Session, caller: Caller, serials: Sequence[str]) -> list[SerialCheck]:
    """Each serial's problem for a request: its format, no such unit, or already the caller's.

    A unit of another organisation answers "" whoever owns it: the list never tells who owns what.
    """
    organisation_id = _organisation_of(caller)
    wanted = list(dict.fromkeys(s.strip().upper() for s in serials if s.strip()))[:MAX_REQUESTED]
    well_formed = [s for s in wanted if SERIAL_FORMAT.fullmatch(s)]
    owners: dict[str, int | None] = {}
    for start in range(0, len(well_formed), 5000):
        chunk = well_formed[start : start + 5000]
        owners.update(
            db.exec(select(MeterKey.serial, MeterKey.owner_id).where(col(MeterKey.serial).in_(chunk))).all()
        )  # type: ignore[arg-type]
    checks = []
    for serial in wanted:
        if not SERIAL_FORMAT.fullmatch(serial):
            problem = SERIAL_FORMAT_PROBLEM
        elif serial not in owners or owners[serial] is None:
            problem = SERIAL_UNKNOWN
        elif owners[serial] == organisation_id:
            problem = SERIAL_OWN
        else:
            problem = SERIAL_OK
        checks.append(SerialCheck(serial, problem))
    return checks


def request_units(
    db: Session, caller: Caller, serials: Sequence[str], robot_proof: str | None
) -> list[KeyTransfer]:
    """Ask the owners of these serials for them: one open transfer per owner, waiting for that owner.

    Every serial must be a unit of another organisation (``check_serials`` says which are not);
    the robot check's answer is used up first (committed), whatever happens next.
    """
    organisation_id = _organisation_of(caller)
    redeem_proof(db, robot_proof)
    db.commit()
    checks = check_serials(db, caller, serials)
    if not checks:
        raise DomainError("keys.transfer.error.no_serials", field="serials")
    if any(check.problem for check in checks):
        raise DomainError("keys.transfer.error.serials_to_fix", field="serials")
    by_owner: dict[int, dict[int, str]] = {}
    wanted = [check.serial for check in checks]
    for start in range(0, len(wanted), 5000):
        for unit_id, serial, owner_id in db.exec(
            select(MeterKey.id, MeterKey.serial, MeterKey.owner_id).where(
                col(MeterKey.serial).in_(wanted[start : start + 5000])
            )
        ):
            by_owner.setdefault(owner_id, {})[unit_id] = serial  # type: ignore[index]
    transfers = []
    requester = _name(db, organisation_id)
    for owner_id in sorted(by_owner):
        units = by_owner[owner_id]
        transfer = _open_transfer(db, caller, TransferKind.REQUEST, owner_id, organisation_id, units)
        _audit_both(
            db, "key.transfer_request", caller, transfer, f"requested by {requester}", sorted(units.values())
        )
        _mail_organisation(db, owner_id, "key_transfer_requested", count=len(units), organisation=requester)
        transfers.append(transfer)
    db.commit()
    return transfers


# ---------------------------------------------------------------- accept, decline, cancel


_DECIDED_KEYS = {
    TransferStatus.SUCCEEDED.value: "keys.transfer.error.already_succeeded",
    TransferStatus.DECLINED.value: "keys.transfer.error.already_declined",
    TransferStatus.CANCELLED.value: "keys.transfer.error.already_cancelled",
    TransferStatus.FAILED.value: "keys.transfer.error.already_failed",
}


def _claim(db: Session, caller: Caller, transfer_id: int, target: TransferStatus, action: str) -> KeyTransfer:
    """Move the open transfer to ``target`` when the caller's side may; one conditional UPDATE.

    Of racing claims exactly one changes the row (the UPDATE is the transaction's first write, and
    re-checks ``status = 'open'`` under the row lock); the others get what decided it.
    """
    transfer = _reachable(db, caller, transfer_id, action)
    allowed = _initiator(transfer) if target == TransferStatus.CANCELLED else _decider(transfer)
    if caller.organisation_id != allowed:
        raise refuse(
            db,
            caller,
            action,
            f"transfer {transfer_id}: not their side to {target.value}",
            subject_type="key_transfer",
            subject_id=transfer_id,
        )
    changed = db.execute(
        update(KeyTransfer)
        .where(col(KeyTransfer.id) == transfer_id, col(KeyTransfer.status) == TransferStatus.OPEN.value)
        .values(status=target.value, decided_by_user_id=caller.user_id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.rollback()
        db.expire_all()
        now = db.get(KeyTransfer, transfer_id)
        raise DomainError(
            _DECIDED_KEYS.get(now.status if now else "", "keys.transfer.error.already_cancelled")
        )
    db.refresh(transfer)
    return transfer


def _close_units(db: Session, transfer_id: int) -> None:
    db.execute(
        update(KeyTransferUnit)
        .where(col(KeyTransferUnit.transfer_id) == transfer_id)
        .values(open_unit_id=None)
        .execution_options(synchronize_session=False)
    )


def _unit_ids_of(transfer_id: int):  # type: ignore[no-untyped-def]
    return select(KeyTransferUnit.unit_id).where(KeyTransferUnit.transfer_id == transfer_id).scalar_subquery()


def _fail(db: Session, caller: Caller, transfer_id: int) -> None:
    """Close a transfer whose units are no longer all the owner's (its own transaction)."""
    changed = db.execute(
        update(KeyTransfer)
        .where(col(KeyTransfer.id) == transfer_id, col(KeyTransfer.status) == TransferStatus.OPEN.value)
        .values(status=TransferStatus.FAILED.value, decided_by_user_id=caller.user_id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed == 1:
        _close_units(db, transfer_id)
        transfer = db.get(KeyTransfer, transfer_id)
        assert transfer is not None
        db.refresh(transfer)
        _audit_both(
            db,
            "key.transfer_failed",
            caller,
            transfer,
            "failed: units no longer the owner's",
            outcome="failed",
        )
    db.commit()


def accept_transfer(db: Session, caller: Caller, transfer_id: int) -> KeyTransfer:
    """The answering side accepts: every unit moves to the new owner, or none does."""
    transfer = _claim(db, caller, transfer_id, TransferStatus.SUCCEEDED, "accept_transfer")
    from_id, to_id, now = (
        transfer.from_organisation_id,
        transfer.to_organisation_id,
        transfer.decided_at or utcnow(),
    )
    units = _unit_ids_of(transfer_id)
    # Whose read rights end: each reader told once, with how many units they no longer read.
    readers = db.exec(
        select(User.email, User.language, func.count())
        .join(KeyReadRight, col(KeyReadRight.user_id) == User.id)
        .where(col(KeyReadRight.unit_id).in_(units))
        .group_by(col(User.email), col(User.language))
    ).all()
    moved = db.execute(
        update(MeterKey)
        .where(col(MeterKey.id).in_(units), col(MeterKey.owner_id) == from_id)
        .values(owner_id=to_id, reader_count=0, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != transfer.unit_count:
        db.rollback()
        _fail(db, caller, transfer_id)
        raise DomainError("keys.transfer.error.stale")
    db.execute(
        delete(KeyReadRight)
        .where(col(KeyReadRight.unit_id).in_(units))
        .execution_options(synchronize_session=False)
    )
    db.execute(
        insert(KeyOwnership).from_select(
            ["unit_id", "serial", "from_organisation_id", "to_organisation_id", "transfer_id", "changed_at"],
            select(
                KeyTransferUnit.unit_id,
                KeyTransferUnit.serial,
                literal(from_id),
                literal(to_id),
                literal(transfer_id),
                literal(now, type_=KeyOwnership.__table__.c.changed_at.type),
            ).where(KeyTransferUnit.transfer_id == transfer_id),
        )
    )
    _close_units(db, transfer_id)
    giver, taker = _name(db, from_id), _name(db, to_id)
    for email, language, count in readers:
        if email:
            queue_mail(
                db,
                email,
                "key_rights_ended",
                language or "nb",
                organisation_id=from_id,
                organisation=giver,
                count=int(count),
            )
    _mail_organisation(db, from_id, "key_transfer_gave", count=transfer.unit_count, organisation=taker)
    _mail_organisation(db, to_id, "key_transfer_took", count=transfer.unit_count, organisation=giver)
    _audit_both(
        db,
        "key.transfer_accept",
        caller,
        transfer,
        f"accepted: from {giver} to {taker}; {len(readers)} readers' rights ended",
    )
    db.commit()
    return transfer


def _end(db: Session, caller: Caller, transfer_id: int, target: TransferStatus, action: str) -> KeyTransfer:
    transfer = _claim(db, caller, transfer_id, target, action)
    _close_units(db, transfer_id)
    other = (
        transfer.from_organisation_id
        if caller.organisation_id == transfer.to_organisation_id
        else transfer.to_organisation_id
    )
    _mail_organisation(
        db,
        other,
        f"key_transfer_{target.value}",
        count=transfer.unit_count,
        organisation=_name(db, caller.organisation_id),
    )
    _audit_both(
        db,
        f"key.transfer_{'decline' if target == TransferStatus.DECLINED else 'cancel'}",
        caller,
        transfer,
        f"{target.value} by {_name(db, caller.organisation_id)}",
    )
    db.commit()
    return transfer


def decline_transfer(db: Session, caller: Caller, transfer_id: int) -> KeyTransfer:
    """The answering side declines: nothing moves."""
    return _end(db, caller, transfer_id, TransferStatus.DECLINED, "decline_transfer")


def cancel_transfer(db: Session, caller: Caller, transfer_id: int) -> KeyTransfer:
    """The side that started it withdraws it while it is open: nothing moves."""
    return _end(db, caller, transfer_id, TransferStatus.CANCELLED, "cancel_transfer")


# ---------------------------------------------------------------- reading


def transfer_page(db: Session, caller: Caller, query: TransferQuery) -> TransferPage:
    """The caller's organisation's transfers, either side: open ones (or closed ones), newest first."""
    organisation_id = _organisation_of(caller)
    statuses = CLOSED_STATUSES if query.closed else OPEN_STATUSES
    condition = and_(
        or_(
            col(KeyTransfer.from_organisation_id) == organisation_id,
            col(KeyTransfer.to_organisation_id) == organisation_id,
        ),
        col(KeyTransfer.status).in_(statuses),
    )
    total = db.exec(select(func.count()).select_from(KeyTransfer).where(condition)).one()
    window = page_window(query.page, query.page_size, total)
    rows = db.exec(
        select(KeyTransfer)
        .where(condition)
        .order_by(col(KeyTransfer.created_at).desc(), col(KeyTransfer.id).desc())
        .offset(window.offset)
        .limit(window.size)
    ).all()
    people = {
        u.id: u.name or u.email or ""
        for u in db.exec(
            select(User).where(
                col(User.id).in_({r.created_by_user_id for r in rows} | {r.decided_by_user_id for r in rows})
            )
        ).all()
    }
    names = {
        o.id: o.name
        for o in db.exec(
            select(Organisation).where(
                col(Organisation.id).in_(
                    {r.from_organisation_id for r in rows} | {r.to_organisation_id for r in rows}
                )
            )
        ).all()
    }
    result = []
    for row in rows:
        outgoing = row.from_organisation_id == organisation_id
        started = _initiator(row) == organisation_id
        is_open = row.status == TransferStatus.OPEN.value
        result.append(
            TransferRow(
                id=row.id or 0,
                kind=row.kind,
                status=row.status,
                outgoing=outgoing,
                started_by_us=started,
                counterparty=names.get(row.to_organisation_id if outgoing else row.from_organisation_id, ""),
                unit_count=row.unit_count,
                created_at=row.created_at,
                decided_at=row.decided_at,
                started_by=people.get(row.created_by_user_id, ""),
                decided_by=people.get(row.decided_by_user_id, ""),
                can_accept=is_open and not started,
                can_decline=is_open and not started,
                can_cancel=is_open and started,
            )
        )
    return TransferPage(rows=result, total=total, page=window.page, page_size=window.size)


def transfer_serials(db: Session, caller: Caller, transfer_id: int, request: PageRequest) -> Page[str]:
    """One page of a transfer's serials, for either of its two sides."""
    _reachable(db, caller, transfer_id, "transfer_serials")
    condition = col(KeyTransferUnit.transfer_id) == transfer_id
    total = db.exec(select(func.count()).select_from(KeyTransferUnit).where(condition)).one()
    window = page_window(request.page, request.page_size, total)
    serials = db.exec(
        select(KeyTransferUnit.serial)
        .where(condition)
        .order_by(col(KeyTransferUnit.serial))
        .offset(window.offset)
        .limit(window.size)
    ).all()
    return Page(rows=list(serials), total=total, page=window.page, page_size=window.size)


def owner_on(db: Session, serial: str, moment: datetime) -> int | None:
    """Which organisation owned the unit ``serial`` at ``moment`` (its owner then, by the history)."""
    later = db.exec(
        select(KeyOwnership.from_organisation_id)
        .where(KeyOwnership.serial == serial, col(KeyOwnership.changed_at) > moment)
        .order_by(col(KeyOwnership.changed_at), col(KeyOwnership.id))
        .limit(1)
    ).first()
    if later is not None:
        return later
    return db.exec(select(MeterKey.owner_id).where(MeterKey.serial == serial)).first()


def managed_check(caller: Caller) -> None:
    """AccessDenied unless the caller manages units (what every transfer page needs)."""
    managed_scope(caller)
