"""`coach review`: the team lead's queue of stored calls and the view of one call.

A thin shell over ``coach.store`` and ``coach.feedback``; the screens live in
``review_screens``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from coach.store import CallFilter, CallSummary, Store
from coach.tui.review_labels import review_labels
from coach.tui.review_screens import CallScreen, QueueScreen


class ReviewApp(App[None]):
    """Review stored calls: comment, mark best practice, write feedback for the rep."""

    CSS_PATH = "review.tcss"
    TITLE = "coach review"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        store: Store,
        filter: CallFilter,
        language: str = "en",
        feedback_dir: Path = Path("feedback"),
        author: str | None = None,
        theme: str = "textual-dark",
    ) -> None:
        super().__init__()
        self.store = store
        self.which = filter
        self.language = language
        self.feedback_dir = feedback_dir
        self.author = author
        self.words = review_labels(language)
        self.queue: list[CallSummary] = []
        self.current_id: int | None = None
        self.last_feedback: Path | None = None
        self._theme_name = theme

    def on_mount(self) -> None:
        self.theme = self._theme_name
        self.push_screen(QueueScreen())

    def load_queue(self) -> None:
        self.queue = self.store.calls(self.which)

    def position(self, call_id: int) -> int | None:
        ids = [c.id for c in self.queue]
        return ids.index(call_id) if call_id in ids else None

    def open_call(self, call_id: int) -> None:
        self.push_screen(CallScreen(call_id))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
