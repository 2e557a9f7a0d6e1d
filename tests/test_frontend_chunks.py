"""The production build keeps the UI libraries in one file, not one file per component."""

from __future__ import annotations

import pytest

from app.frontend_chunks import UiChunkPlugin, with_ui_chunk

# The part of the vite.config.js Reflex 0.10 generates that the plugin edits.
GENERATED = """
      output: {
        codeSplitting: {
          groups: [
            {
              test: /env.json/,
              name: "reflex-env",
            },
          ],
        },
      },
"""


def test_the_ui_libraries_form_one_group_before_reflexs_own():
    changed = with_ui_chunk(GENERATED)
    assert changed.count('name: "ui"') == 1
    assert changed.index('name: "ui"') < changed.index('name: "reflex-env"')
    assert "test: /node_modules[\\\\/](@radix-ui|lucide-react)[\\\\/]|preload-helper/," in changed
    assert with_ui_chunk(changed) == changed  # a second build adds nothing


def test_a_changed_template_is_reported_not_ignored():
    with pytest.raises(ValueError, match=r"vite\.config\.js"):
        with_ui_chunk("export default defineConfig({})")


def test_the_plugin_edits_vite_config_before_the_build():
    tasks = []
    UiChunkPlugin().pre_compile(add_modify_task=lambda path, edit: tasks.append((path, edit)))
    assert [(path, edit(GENERATED)) for path, edit in tasks] == [("vite.config.js", with_ui_chunk(GENERATED))]
