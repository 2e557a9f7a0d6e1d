"""The app's HTTP API beside the Reflex backend (``rx.App(api_transformer=...)``).

``GET /api/installations?meter=…|ean=…``: the grid company's installation register for installer
firms, with a bearer token per firm, rate-limited, every call logged.

``GET /api/first-paint?page=overview|consumption&lang=…``: Min side's first figures before React
and the websocket are ready, for the bearer of a customer session token (app/first_paint_api.py).
"""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.config import settings
from app.db import session_scope
from app.first_paint_api import first_paint
from app.services.deployment_checks import proxy_hops
from app.services.installer.installation_lookup import ApiAnswer, look_up_installation


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _grid_company(request: Request) -> int | None:
    try:
        return int(request.query_params["grid_company"])
    except (KeyError, ValueError):
        return None


def client_address(request: Request) -> str | None:
    """The caller's address, read as the websocket's is: behind ``TRUSTED_PROXY_HOPS`` proxies,
    the N-th last ``X-Forwarded-For`` entry (the one our own proxy appended). The per-address
    bound of bad tokens needs the real address, or one caller would block every firm."""
    direct = request.client.host if request.client else None
    hops = proxy_hops(settings)
    if hops <= 0:
        return direct
    header = request.headers.get("x-forwarded-for", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    return forwarded[-hops] if len(forwarded) >= hops else direct


def _answer(request: Request) -> ApiAnswer:
    with session_scope() as db:
        return look_up_installation(
            db,
            _bearer(request),
            meter=request.query_params.get("meter", ""),
            ean=request.query_params.get("ean", ""),
            grid_company_id=_grid_company(request),
            client_address=client_address(request),
        )


async def installations(request: Request) -> JSONResponse:
    # The look-up and its log row are a database transaction: off the event loop.
    answer = await asyncio.to_thread(_answer, request)
    headers = {"WWW-Authenticate": "Bearer"} if answer.status_code == 401 else None
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)


async def first_paint_figures(request: Request) -> JSONResponse:
    """Personal figures: never stored by a browser or a proxy."""
    token, address = _bearer(request), client_address(request)
    page, language = request.query_params.get("page", ""), request.query_params.get("lang", "")
    answer = await asyncio.to_thread(lambda: first_paint(token, page, language, client_address=address))
    return JSONResponse(answer.body, status_code=answer.status_code, headers={"Cache-Control": "no-store"})


api = Starlette(
    routes=[
        Route("/api/installations", installations, methods=["GET"]),
        Route("/api/first-paint", first_paint_figures, methods=["GET"]),
    ]
)
