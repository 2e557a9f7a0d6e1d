"""The installation API's answer: bearer token, rate limit, look-up, and a log row for every call.

Personal and organisation numbers are never part of the answer (the register does not even
hand them over); an installer firm sees only installations of the grid companies it is
authorised for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from app.models import Installation, InstallationApiCall, InstallerAuthorisation
from app.services.installer.api_tokens import token_row
from app.services.installer.identifiers import compact_digits
from app.services.rate_limit import Limit, default_rate_limiter, within_limits

LOOKUPS_PER_TOKEN = Limit("installation-api-per-token", 30, timedelta(minutes=1))


@dataclass(frozen=True)
class ApiAnswer:
    status_code: int
    body: dict


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
) -> ApiAnswer:
    """Answer one call; the call is logged (in ``db``'s transaction) whatever the answer."""
    token = token_row(db, bearer_token)
    meter, ean = meter.strip(), compact_digits(ean)
    query = (f"meter={meter}" if meter else f"ean={ean}")[:80]
    answer = _answer(db, token, meter, ean, grid_company_id)
    db.add(
        InstallationApiCall(
            token_id=token.id if token else None,
            installer_firm_id=token.installer_firm_id if token else None,
            query=query,
            status_code=answer.status_code,
            client_address=client_address,
        )
    )
    return answer


def _answer(db: Session, token, meter: str, ean: str, grid_company_id: int | None) -> ApiAnswer:  # type: ignore[no-untyped-def]
    if token is None:
        return ApiAnswer(401, {"error": "unauthorized", "message": "A valid bearer token is required"})
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
    row = db.exec(query).first()
    return _not_found() if row is None else ApiAnswer(200, installation_answer(row))
