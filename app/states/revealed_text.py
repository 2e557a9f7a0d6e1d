"""Writing a secret into one element of the page, never into a state var.

Reflex persists state (disk, Redis): a key or a personal number kept there would outlive the
page. Shown on request instead, the secret travels with one event, as a script that sets the
element's text; leaving the page drops it.
"""

from __future__ import annotations

import json


def reveal_text_script(element_id: str, text: str) -> str:
    """Script that sets ``element_id``'s text to ``text`` (both JSON-escaped)."""
    target = json.dumps(element_id)
    value = json.dumps(text)
    return f"(() => {{ const el = document.getElementById({target}); if (el) el.textContent = {value}; }})()"
