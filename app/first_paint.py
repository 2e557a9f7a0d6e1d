"""Min side paints its first figures before React and the websocket are ready (issue 28).

On a phone at 4x slower CPU the framework's scripts take seconds to download, parse and
hydrate, and only then does the websocket ask for the page's data. The prerendered pages of
the customer's overview and consumption get a small inline script in ``<head>``
(after the production build, like ``app/chart_preload.py``): with the session token the page
already keeps, it asks ``/api/first-paint`` (app/first_paint_api.py) for the page's first
figures at once, and paints them over the page's placeholder (the overview's skeleton, the
chart's spinner), in a layer of its own appended to ``<body>`` (React 19 skips elements it did
not render there while hydrating). The layer goes as soon as the live page has replaced its
placeholder, or another page is shown; a screen reader reads the live page (the layer is
``aria-hidden``, as the plain bars are). Without a token, or refused, nothing is painted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import reflex as rx

from app import routes
from app.chart_preload import pages_of

SESSION_KEY, LANGUAGE_KEY = "mp_session", "mp_language"
# The page's first figures by route: (what /api/first-paint answers, the id it is painted over).
FIRST_PAINT_PAGES = {
    routes.CUSTOMER_HOME: ("overview", "overview-skeleton"),
    routes.CUSTOMER_CONSUMPTION: ("consumption", "consumption-loading"),
}
MARK = "data-first-paint-script"
_STYLESHEET = re.compile(r"<link[^>]*rel=\"stylesheet\"[^>]*>")

SCRIPT = """<script %(mark)s>(function () {
  var page = %(page)s, anchorId = %(anchor)s, path = location.pathname, token, lang;
  var bare = function (value) { return (value || "").replace(/^"|"$/g, ""); };
  try { token = bare(localStorage.getItem(%(session)s)); lang = bare(localStorage.getItem(%(language)s)); }
  catch (e) { return; }
  if (!token || !window.fetch || !window.Promise) return;
  var answer = fetch("/api/first-paint?page=" + page + "&lang=" + encodeURIComponent(lang), {
    headers: { Authorization: "Bearer " + token }, cache: "no-store", priority: "high"
  }).then(function (r) { return r.ok ? r.json() : null; });
  // The placeholder is in the prerendered body: painted as soon as the parser has passed it.
  var parsed = new Promise(function (done) {
    if (document.readyState !== "loading" || document.getElementById(anchorId)) return done();
    document.addEventListener("readystatechange", function () { done(); }, { once: true });
  });
  var box = function (css, text) {
    var el = document.createElement("div");
    el.style.cssText = css;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  var draw = {
    overview: function (layer, d) {
      var card = box("border:1px solid var(--gray-a6);border-radius:var(--radius-4);" +
        "padding:var(--space-5);background:var(--color-panel-solid)");
      card.appendChild(box("font-size:var(--font-size-5);font-weight:var(--font-weight-bold);" +
        "line-height:var(--line-height-5)", d.name));
      d.facts.forEach(function (fact) {
        var label = "margin-top:var(--space-3);font-size:var(--font-size-2);color:var(--gray-a11)";
        card.appendChild(box(label, fact[0]));
        card.appendChild(box("font-size:var(--font-size-2)", fact[1]));
      });
      layer.appendChild(card);
    },
    consumption: function (layer, d) {
      if (d.bars) layer.innerHTML = d.bars;
      layer.style.color = "var(--gray-11)";
    }
  };
  Promise.all([answer, parsed]).then(function (results) {
    var data = results[0], anchor = document.getElementById(anchorId);
    if (!data || !anchor || location.pathname !== path) return;
    var layer = box("position:absolute;z-index:5;box-sizing:border-box;background:var(--color-background)");
    layer.setAttribute("data-first-paint", page);
    layer.setAttribute("aria-hidden", "true");
    // Outside the page's Radix theme element: its class and settings give the layer the theme's
    // variables (spacing, fonts, colours), which are not set on :root.
    var theme = document.querySelector(".radix-themes");
    if (theme) {
      layer.className = theme.className;
      var settings = ["accent-color", "gray-color", "panel-background", "radius", "scaling"];
      settings.forEach(function (name) {
        var value = theme.getAttribute("data-" + name);
        if (value !== null) layer.setAttribute("data-" + name, value);
      });
    }
    draw[page](layer, data);
    if (!layer.firstChild) return;
    var place = function () {
      var r = anchor.getBoundingClientRect();
      layer.style.top = r.top + window.scrollY + "px";
      layer.style.left = r.left + window.scrollX + "px";
      layer.style.width = r.width + "px";
      layer.style.minHeight = r.height + "px";
    };
    place();
    document.body.appendChild(layer);
    var watch = setInterval(function () {
      if (anchor.isConnected && location.pathname === path) return place();
      clearInterval(watch);
      layer.remove();
    }, 100);
  }).catch(function () {});
})();</script>"""


def first_paint_script(page: str, anchor_id: str) -> str:
    return SCRIPT % {
        "mark": MARK,
        "page": json.dumps(page),
        "anchor": json.dumps(anchor_id),
        "session": json.dumps(SESSION_KEY),
        "language": json.dumps(LANGUAGE_KEY),
    }


def _script_place(html: str) -> int | None:
    """Where the script goes in ``<head>``: just before the first stylesheet (an inline script
    after it would wait for the stylesheet to load), after every script React renders there.
    React hydrates ``<head>`` too and takes an inline script it meets first for its own next
    script (Reflex's colour-mode script), then finds the text different (error #418) and
    renders the whole page again; an element it does not expect before a ``<link>`` it skips."""
    end = html.find("</head>")
    if end < 0:
        return None
    stylesheet = _STYLESHEET.search(html, 0, end)
    return stylesheet.start() if stylesheet else end


def add_first_paint(static_dir: Path, pages: Mapping[str, tuple[str, str]]) -> list[Path]:
    """The first-paint script in ``<head>`` of each route's prerendered page (``_script_place``)."""
    changed: list[Path] = []
    for route, (page, anchor_id) in pages.items():
        for html_file in pages_of(static_dir, route):
            html = html_file.read_text(encoding="utf-8")
            place = _script_place(html)
            if MARK in html or place is None:
                continue
            html = html[:place] + first_paint_script(page, anchor_id) + html[place:]
            html_file.write_text(html, encoding="utf-8")
            changed.append(html_file)
    return changed


class FirstPaintPlugin(rx.plugins.Plugin):
    """``add_first_paint`` for Min side's pages after the production build (rxconfig.py)."""

    def __init__(self, pages: Mapping[str, tuple[str, str]] = FIRST_PAINT_PAGES) -> None:
        self.pages = dict(pages)

    def post_build(self, **context) -> None:
        add_first_paint(Path(context["static_dir"]), self.pages)
