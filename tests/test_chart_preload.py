"""The production build's chart pages preload the plotly chunk; other pages do not."""

from __future__ import annotations

from pathlib import Path

from app.chart_preload import ChartPreloadPlugin, preload_charts

HEAD = (
    '<!DOCTYPE html><html><head><link rel="modulepreload" href="/assets/root-w2Pgwk7Z.js"/></head>'
    "<body></body></html>"
)
PRELOAD = '<link rel="modulepreload" href="/assets/plotly-basic.min-Cnhg5aqv.js" fetchpriority="low"/>'


def _build(static_dir: Path) -> None:
    (static_dir / "assets").mkdir(parents=True)
    (static_dir / "assets" / "plotly-basic.min-Cnhg5aqv.js").write_text("/* plotly.js */")
    (static_dir / "assets" / "root-w2Pgwk7Z.js").write_text("")
    (static_dir / "min-side" / "forbruk").mkdir(parents=True)
    for page in ("min-side/forbruk.html", "min-side/forbruk/index.html", "min-side.html", "index.html"):
        (static_dir / page).write_text(HEAD)


def test_the_chart_routes_pages_preload_plotly_once(tmp_path: Path):
    _build(tmp_path)
    changed = preload_charts(tmp_path, ["/min-side/forbruk"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in changed) == [
        "min-side/forbruk.html",
        "min-side/forbruk/index.html",
    ]
    chart_page = (tmp_path / "min-side" / "forbruk.html").read_text()
    assert chart_page.count(PRELOAD) == 1 and chart_page.index(PRELOAD) < chart_page.index("</head>")
    for other in ("min-side.html", "index.html"):
        assert (tmp_path / other).read_text() == HEAD
    # A second run (a build served again) adds nothing.
    assert preload_charts(tmp_path, ["/min-side/forbruk"]) == []


def test_the_plugin_runs_after_the_build(tmp_path: Path):
    _build(tmp_path)
    ChartPreloadPlugin(["/min-side/forbruk"]).post_build(static_dir=tmp_path)
    assert PRELOAD in (tmp_path / "min-side" / "forbruk.html").read_text()


def test_a_build_without_plotly_is_left_alone(tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(HEAD)
    assert preload_charts(tmp_path, ["/", "/min-side/forbruk"]) == []
