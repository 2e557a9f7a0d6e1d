"""Pages with a chart start downloading plotly with the page, not after their data.

Reflex loads plotly lazily: its bundle (about 350 KB compressed) is asked for only when the
chart is first rendered, which is after the websocket has brought the page's data, so on a
phone's network the download began a second or more after the page. After the production
build, the prerendered pages of the chart routes get a ``<link rel="modulepreload">`` for the
plotly chunk: the browser fetches and compiles it while the page starts, and runs it only
when the chart asks. Low priority, so it never delays the page's own modules. (The chunk is
imported from the components shared by every page, so the routes are named, not detected.)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import reflex as rx

PLOTLY_CHUNK = "plotly*.js"


def pages_of(static_dir: Path, route: str) -> list[Path]:
    """The prerendered files of ``route``: ``min-side/forbruk.html`` and ``…/forbruk/index.html``."""
    path = route.strip("/")
    candidates = (
        [static_dir / f"{path}.html", static_dir / path / "index.html"]
        if path
        else [static_dir / "index.html"]
    )
    return [page for page in candidates if page.is_file()]


def preload_charts(static_dir: Path, routes: Iterable[str]) -> list[Path]:
    """Add the plotly chunk's preload to the pages of ``routes``; returns the pages changed."""
    assets = static_dir / "assets"
    chunks = sorted(path.name for path in assets.glob(PLOTLY_CHUNK)) if assets.is_dir() else []
    changed: list[Path] = []
    for route in routes:
        for page in pages_of(static_dir, route):
            html = page.read_text(encoding="utf-8")
            links = "".join(
                f'<link rel="modulepreload" href="/assets/{chunk}" fetchpriority="low"/>'
                for chunk in chunks
                if f"/assets/{chunk}" not in html
            )
            if links and "</head>" in html:
                page.write_text(html.replace("</head>", links + "</head>", 1), encoding="utf-8")
                changed.append(page)
    return changed


class ChartPreloadPlugin(rx.plugins.Plugin):
    """``preload_charts`` for the given routes after the production build (rxconfig.py)."""

    def __init__(self, routes: Iterable[str]) -> None:
        self.routes = tuple(routes)

    def post_build(self, **context) -> None:
        preload_charts(Path(context["static_dir"]), self.routes)
