"""Issue 20.7: no form ever submits natively (a GET with the password in the URL when Enter was
pressed before the page's scripts took over). Every form is ``scripted_form``: POST to an
address that accepts nothing. The browser half is tests/e2e/test_native_submit.py."""

from __future__ import annotations

import re
from pathlib import Path

import reflex as rx

from app import routes
from app.components.fields import scripted_form

APP = Path(__file__).resolve().parents[1] / "app"
# A form built any other way than through scripted_form.
RAW_FORM = re.compile(r"\brx\s*\.\s*(?:el\s*\.\s*)?form\s*(?:\.\s*root\s*)?\(")


def test_no_page_or_component_builds_a_form_but_through_scripted_form():
    offenders = [
        f"{path.relative_to(APP.parent)}:{number}"
        for path in APP.rglob("*.py")
        if path != APP / "components" / "fields.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RAW_FORM.search(line)
    ]
    assert offenders == []


def test_a_scripted_form_posts_to_the_address_that_accepts_nothing():
    rendered = str(scripted_form(rx.input(name="password", type="password"), on_submit=rx.console_log("x")))
    assert 'method:"post"' in rendered
    assert f'action:"{routes.NO_NATIVE_SUBMIT}"' in rendered
