"""How long browsers keep what the production server sends (``reflex run --env prod --single-port``).

The build's scripts and styles under ``/assets/`` carry a hash of their content in their name:
a browser may keep them for a year without asking again (``immutable``), so a second visit from
a phone sends no request for them at all, where it used to revalidate each one (a round trip
per file). Pages (HTML) name the current build's files, so they are always revalidated
(``no-cache``, answered 304 while unchanged): after a deploy nobody gets yesterday's page asking
for files that are gone. Responses that set their own Cache-Control keep it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HASHED_ASSETS = "/assets/"
FOREVER = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"


def _policy(path: str, status: int, headers: list[tuple[bytes, bytes]]) -> bytes | None:
    if any(name.lower() == b"cache-control" for name, _ in headers):
        return None
    if path.startswith(HASHED_ASSETS):
        return FOREVER if status in (200, 304) else None
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    return REVALIDATE if content_type.startswith(b"text/html") else None


def with_cache_headers(app: ASGIApp) -> ASGIApp:
    """``app`` with a Cache-Control header on its static answers (an ``api_transformer``)."""

    async def cached(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                policy = _policy(path, message["status"], headers)
                if policy is not None:
                    message = {**message, "headers": [*headers, (b"cache-control", policy)]}
            await send(message)

        await app(scope, receive, send_with_policy)

    return cached
