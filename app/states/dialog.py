"""Which of a page's dialogs is open: one var and two handlers, mixed into the page's state.

The page draws each dialog with ``app.components.dialogs.dialog(state, name, …)``; a button opens
it with ``state.show_dialog(name)``, and Escape, Cancel or a click outside close it through
``state.dialog_open_change``. Opening or closing clears the form's errors. A handler whose
action succeeded calls ``self._close_dialog()``; one that reports an error leaves it open with
the error next to its field. A question asked on top of an open dialog (``_ask_question``; drawn
with ``dialog(..., on_top=True)``) closes by ``question_open_change`` and leaves that dialog
open. Focus (into the dialog, kept inside, back to the opener) is the component's work, in the
browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import reflex as rx

from app.models import Role

# A dialog's name is chosen by the page (e.g. "approve", "cancel-12"); a browser may send anything.
MAX_NAME_LENGTH = 64


class DialogState(rx.State, mixin=True):
    """Mixed into a state that has ``errors`` and ``_require``; ``DIALOG_ROLES`` may open its dialogs."""

    if TYPE_CHECKING:  # the state's own
        errors: dict[str, str]

        def _require(self, *roles: Role, handler: str, db: Any = None) -> Any: ...

    DIALOG_ROLES: ClassVar[tuple[Role, ...]] = ()
    # The open dialog's name; "" when none is open.
    open_dialog: str = ""
    # A question asked on top of the open dialog ("Revoke this reader?" over the readers panel),
    # which stays open beneath it; "" when none is asked.
    open_question: str = ""

    def _dialog_opened(self, name: str) -> None:
        """What a state clears when one of its dialogs opens (besides the errors)."""

    def _dialog_closed(self) -> None:
        """What a state forgets when its dialog closes (besides the errors)."""

    def _question_closed(self, name: str) -> Any:
        """What a state forgets when its question is cancelled; events to return (e.g. focus)."""
        return None

    def _close_dialog(self) -> None:
        self.open_dialog = ""
        self.open_question = ""
        self.errors = {}
        self._dialog_closed()

    def _ask_question(self, name: str) -> None:
        """Ask ``name`` on top of the open dialog (the handler that asks has checked the caller)."""
        self.errors = {}
        self.open_question = name

    def _close_question(self) -> None:
        """The question answered: it closes, the dialog beneath stays."""
        self.open_question = ""
        self.errors = {}

    @rx.event
    async def show_dialog(self, name: str) -> None:
        await self._checked(*self.DIALOG_ROLES, handler="show_dialog")
        name = name if isinstance(name, str) and len(name) <= MAX_NAME_LENGTH else ""
        self.errors = {}
        self.open_dialog = name
        if name:
            self._dialog_opened(name)

    @rx.event
    async def dialog_open_change(self, is_open: bool) -> None:
        """Radix asks to close (Escape, Cancel, a click outside); opening goes through ``show_dialog``."""
        await self._checked(*self.DIALOG_ROLES, handler="dialog_open_change")
        if is_open is not True:
            self._close_dialog()

    @rx.event
    async def question_open_change(self, is_open: bool):  # type: ignore[no-untyped-def]
        """Cancel or Escape on the question on top: nothing done, the dialog beneath stays open."""
        await self._checked(*self.DIALOG_ROLES, handler="question_open_change")
        if is_open is True or not self.open_question:
            return None
        name = self.open_question
        self._close_question()
        return self._question_closed(name)
