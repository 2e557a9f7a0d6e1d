"""The installer side of "Fetch installation data": the grid company's API over HTTP.

The answer becomes Elsmart's status code and text: 100 when the data came back, 201 with the
reason otherwise ("Request failed with http status code 404 (NotFound): Installation not found").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus

import httpx

from app.i18n import translate
from app.services.installer.installation_data import flatten_answer

INSTALLATIONS_PATH = "/api/installations"
COMPLETED = 100
FAILED = 201
_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class FetchResult:
    status_code: int
    status_text: str
    data: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status_code == COMPLETED


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.replace(" ", "")
    except ValueError:
        return "Unknown"


def fetch_installation(
    base_url: str,
    token: str,
    *,
    meter: str = "",
    ean: str = "",
    grid_company_id: int | None = None,
    language: str = "nb",
    transport: httpx.BaseTransport | None = None,
) -> FetchResult:
    """One GET of the installation API; never raises for what the network or the API does."""
    params: dict[str, str] = {"meter": meter} if meter else {"ean": ean}
    if grid_company_id is not None:
        params["grid_company"] = str(grid_company_id)
    try:
        with httpx.Client(
            base_url=base_url.rstrip("/"), timeout=_TIMEOUT_SECONDS, transport=transport
        ) as client:
            response = client.get(
                INSTALLATIONS_PATH, params=params, headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError as error:
        return FetchResult(FAILED, f"Request failed: {error}")
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200:
        message = body.get("message", "") if isinstance(body, dict) else ""
        text = (
            f"Request failed with http status code {response.status_code} ({_reason(response.status_code)})"
        )
        return FetchResult(FAILED, f"{text}: {message}" if message else text)
    return FetchResult(COMPLETED, translate("installer.fetch_completed", language), flatten_answer(body))
