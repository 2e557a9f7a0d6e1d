"""How the production build cuts the frontend's scripts into files (issue 28: a phone's first load).

Each route's parts are compiled into its own module (app/components/template.py), so a page no
longer loads every page's parts; but the Radix Themes components and lucide icons those parts
use, shared by different sets of routes, then became a file each (20 and more of about 1 KB on
the consumption page). A phone on HTTP/1.1 fetches six at a time, each a round trip. Here they
are one file, next to the libraries every page loads anyway; plotly, altcha and the other
libraries of single pages keep their own files.
"""

from __future__ import annotations

import reflex as rx

VITE_CONFIG = "vite.config.js"
GROUPS_START = "groups: ["
# A rolldown code-splitting group: every module of these packages in one chunk.
UI_GROUP = (
    "\n            {\n"
    "              test: /node_modules[\\\\/](@radix-ui|lucide-react)[\\\\/]|preload-helper/,\n"
    '              name: "ui",\n'
    "            },"
)


def with_ui_chunk(vite_config: str) -> str:
    """``vite_config`` with the UI libraries in one chunk (unchanged if already there)."""
    if UI_GROUP in vite_config:
        return vite_config
    if GROUPS_START not in vite_config:
        raise ValueError(f"{VITE_CONFIG} has no code-splitting groups: Reflex's template changed")
    return vite_config.replace(GROUPS_START, GROUPS_START + UI_GROUP, 1)


class UiChunkPlugin(rx.plugins.Plugin):
    """``with_ui_chunk`` on the generated vite.config.js before each build (rxconfig.py)."""

    def pre_compile(self, **context) -> None:
        context["add_modify_task"](VITE_CONFIG, with_ui_chunk)
