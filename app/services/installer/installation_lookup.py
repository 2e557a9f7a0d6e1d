"""The installation API's answer: bearer token, rate limit, look-up, and a log row for every call.

Personal and organisation numbers are never part of the answer (the register does not even
hand them over); an installer firm sees only installations of the grid companies it is
authorised for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.models import Installation, InstallationApiCall, InstallerAuthorisation
from app.services.installer.api_tokens import token_row
from app.services.installer.identifiers import compact_digits
from app.services.rate_limit import Limit, default_rate_limiter, within_limits

LOOKUPS_PER_TOKEN = Limit("installation-api-per-token", 30, timedelta(minutes=1))
# Calls with a missing or wrong token per client address (issue 20.11): then 429 for an hour.
BAD_TOKENS_PER_ADDRESS = Limit("installation-api-bad-token-per-address", 20, timedelta(hours=1))
# Unauthenticated calls from one address with one answer share a row for this long.
REPEATS_ON_ONE_ROW = timedelta(hours=1)


@dataclass(frozen=True)
class ApiAnswer:
    status_code: int
    body: dict


_UNAUTHORISED = ApiAnswer(401, {"error": "unauthorized", "message": "A valid bearer token is required"})
_TOO_MANY = ApiAnswer(429, {"error": "too_many_requests", "message": "Too many requests, try again later"})


def _not_found() -> ApiAnswer:
    return ApiAnswer(404, {"error": "not_found", "message": "Installation not found"})


def installation_answer(row: Installation) -> dict:
    """What the API tells about an installation: no personal or organisation number."""
    return {
        "meter_number": row.meter_number,
        "ean": row.ean,
        "technical_number": row.technical_number,
        "address": row.address,
        "postcode": row.postcode,
        "city": row.city,
        "owner": {
            "surname": row.owner_surname,
            "first_name": row.owner_first_name,
            "address": row.owner_address,
            "postcode": row.owner_postcode,
            "city": row.owner_city,
            "phone": row.owner_phone,
        },
        "meter_placement": row.meter_placement,
        "main_fuse": row.main_fuse,
    }


def look_up_installation(
    db: Session,
    bearer_token: str,
    *,
    meter: str = "",
    ean: str = "",
    grid_company_id: int | None = None,
    client_address: str | None = None,
    now: datetime | None = None,
) -> ApiAnswer:
    """Answer one call; the call is logged (in ``db``'s transaction) whatever the answer.

    Calls with a bad token are bounded per client address (``BAD_TOKENS_PER_ADDRESS``, then
    429 for every call from it, before any token is looked at) and logged as repeats.
    """
    now = now or utcnow()
    limiter = default_rate_limiter(db)
    meter, ean = meter.strip(), compact_digits(ean)
    query = (f"meter={meter}" if meter else f"ean={ean}")[:80]
    bad_key = BAD_TOKENS_PER_ADDRESS.key(client_address or "unknown")
    if limiter.count(bad_key, BAD_TOKENS_PER_ADDRESS.window, now=now) >= BAD_TOKENS_PER_ADDRESS.count:
        _log_unauthenticated(db, query, _TOO_MANY, client_address, now)
        return _TOO_MANY
    token = token_row(db, bearer_token)
    if token is None:
        limiter.attempt(bad_key, BAD_TOKENS_PER_ADDRESS.count, BAD_TOKENS_PER_ADDRESS.window, now=now)
        _log_unauthenticated(db, query, _UNAUTHORISED, client_address, now)
        return _UNAUTHORISED
    answer = _answer(db, token, meter, ean, grid_company_id)
    db.add(
        InstallationApiCall(
            token_id=token.id,
            installer_firm_id=token.installer_firm_id,
            query=query,
            status_code=answer.status_code,
            client_address=client_address,
            at=now,
        )
    )
    return answer


def _log_unauthenticated(
    db: Session, query: str, answer: ApiAnswer, client_address: str | None, now: datetime
) -> None:
    """One row per address and answer per ``REPEATS_ON_ONE_ROW``: a repeat only counts."""
    row = db.exec(
        select(InstallationApiCall)
        .where(
            col(InstallationApiCall.token_id).is_(None),
            InstallationApiCall.client_address == client_address,
            InstallationApiCall.status_code == answer.status_code,
            col(InstallationApiCall.at) > now - REPEATS_ON_ONE_ROW,
        )
        .order_by(col(InstallationApiCall.id).desc())
        .limit(1)
    ).first()
    if row is None:
        db.add(
            InstallationApiCall(
                query=query, status_code=answer.status_code, client_address=client_address, at=now
            )
        )
        return
    db.execute(
        update(InstallationApiCall)
        .where(col(InstallationApiCall.id) == row.id)
        .values(repeats=col(InstallationApiCall.repeats) + 1, last_at=now)
        .execution_options(synchronize_session=False)
    )


def _answer(db: Session, token, meter: str, ean: str, grid_company_id: int | None) -> ApiAnswer:  # type: ignore[no-untyped-def]
    if not within_limits(default_rate_limiter(db), [(LOOKUPS_PER_TOKEN, str(token.id))]):
        return ApiAnswer(429, {"error": "too_many_requests", "message": "Too many requests, try again later"})
    if bool(meter) == bool(ean):
        return ApiAnswer(400, {"error": "bad_request", "message": "Give either meter or ean"})
    authorised = select(InstallerAuthorisation.grid_company_id).where(
        InstallerAuthorisation.installer_firm_id == token.installer_firm_id
    )
    query = select(Installation).where(Installation.grid_company_id.in_(authorised))  # type: ignore[attr-defined]
    query = query.where(Installation.meter_number == meter) if meter else query.where(Installation.ean == ean)
    if grid_company_id is not None:
        query = query.where(Installation.grid_company_id == grid_company_id)
    if token.grid_company_id is not None:  # issued by one grid company: its installations only
        query = query.where(Installation.grid_company_id == token.grid_company_id)
    row = db.exec(query).first()
    return _not_found() if row is None else ApiAnswer(200, installation_answer(row))
