"""Cache-Control on what the production server sends: hashed assets for a year, pages revalidated."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from app.asset_caching import FOREVER, REVALIDATE, with_cache_headers


def _served(tmp_path: Path) -> TestClient:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "chart-Cnhg5aqv.js").write_text("export const chart = 1;")
    (tmp_path / "min-side" / "forbruk").mkdir(parents=True)
    (tmp_path / "min-side" / "forbruk" / "index.html").write_text("<!DOCTYPE html><title>Forbruk</title>")
    (tmp_path / "index.html").write_text("<!DOCTYPE html><title>Start</title>")

    async def ping(_request):
        return JSONResponse({"ok": True})

    async def own_policy(_request):
        return JSONResponse({}, headers={"Cache-Control": "private, max-age=5"})

    app = Starlette(
        routes=[
            Route("/ping", ping),
            Route("/own", own_policy),
            Mount("/", StaticFiles(directory=tmp_path, html=True)),
        ]
    )
    return TestClient(with_cache_headers(app))


def test_hashed_assets_are_kept_for_a_year_also_when_revalidated(tmp_path: Path):
    client = _served(tmp_path)
    answer = client.get("/assets/chart-Cnhg5aqv.js")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == FOREVER.decode()
    again = client.get("/assets/chart-Cnhg5aqv.js", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == FOREVER.decode()


def test_pages_are_revalidated_and_other_answers_untouched(tmp_path: Path):
    client = _served(tmp_path)
    page = client.get("/min-side/forbruk/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.headers["cache-control"] == REVALIDATE.decode()
    assert client.get("/").headers["cache-control"] == REVALIDATE.decode()
    assert "cache-control" not in client.get("/ping").headers
    assert client.get("/own").headers["cache-control"] == "private, max-age=5"
    missing = client.get("/assets/gone-Ab12Cd34.js")
    assert missing.status_code == 404
    assert missing.headers.get("cache-control") != FOREVER.decode()
