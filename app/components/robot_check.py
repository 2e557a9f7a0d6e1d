"""The robot check's widget: ALTCHA's ``<altcha-widget>`` web component, wrapped as a Reflex component.

The widget's script comes from the npm package ``altcha`` (pinned below), which Reflex installs
into the app's own frontend build and bundles: nothing is loaded from an outside server at run
time. The widget gets its challenge inline (``challengejson``, made by ``app.services.robot_check``),
solves the proof of work in the browser and puts the answer in a hidden form field named
``altcha``, which the form submits with its other fields; the server verifies it (once).
"""

from __future__ import annotations

import reflex as rx
from reflex.constants.compiler import MemoizationDisposition, MemoizationMode
from reflex.utils.imports import ImportVar

# The widget's npm package, pinned: v2 solves the SHA-256 challenges ``altcha`` (PyPI) makes.
PACKAGE = "altcha@2.3.0"


class AltchaWidget(rx.Component):
    """``<altcha-widget>``: registered by importing the package for its side effect."""

    tag = "altcha-widget"
    # Rendered as the element's name (a string), not an imported identifier.
    _is_tag_in_global_scope = True
    # Drawn inside the page's component: a memoized wrapper would be named after the tag, and a
    # name with a hyphen is no JavaScript identifier.
    _memoization_mode = MemoizationMode(disposition=MemoizationDisposition.NEVER)

    challengejson: rx.Var[str]
    name: rx.Var[str]
    language: rx.Var[str]
    hidefooter: rx.Var[bool]
    hidelogo: rx.Var[bool]

    def add_imports(self) -> dict[str, list[ImportVar]]:
        # Installed into the build, but imported in the browser only (add_hooks): the package
        # defines the element on HTMLElement at import, which the production build's server-side
        # prerender does not have (an import at the top of the module failed every page's prerender).
        return {PACKAGE: [ImportVar(tag=None, render=False)], "react": [ImportVar(tag="useEffect")]}

    def add_hooks(self) -> list[str | rx.Var]:
        # The package for its side effect (it defines the element), then the widget's texts in the
        # portal's three languages: modules of the same package, nothing more to install.
        texts = ", ".join(f"import('altcha/i18n/{language}')" for language in ("nb", "sv", "en"))
        return [f"useEffect(() => {{ import('altcha').then(() => Promise.all([{texts}])); }}, []);"]


def robot_check(challenge: rx.Var, language: rx.Var, *, widget_id: str = "robot-check") -> rx.Component:
    """The widget inside a form: its answer is submitted as the field ``altcha``."""
    return AltchaWidget.create(
        challengejson=challenge,
        name="altcha",
        language=language,
        hidefooter=True,
        hidelogo=True,
        id=widget_id,
        key=challenge,
    )
