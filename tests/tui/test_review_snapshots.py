"""Snapshots of the review's queue and call view at 80×24 and 120×40, English and Russian.

Update after a deliberate change of the look:
pytest tests/tui/test_review_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coach.store import BEST, CallFilter, Store
from coach.tui.review_app import ReviewApp
from tests.test_feedback import fill_store


def app_for(tmp_path: Path, language: str) -> ReviewApp:
    ids = fill_store(tmp_path / "calls.db")
    store = Store(tmp_path / "calls.db")
    store.comment(ids["ru-car-dealer-poor"], "Ask before you pitch", utterance=2)
    store.toggle_tag(ids["ru-car-dealer-poor"], BEST, utterance=2)
    return ReviewApp(store, CallFilter(), language, feedback_dir=tmp_path / "feedback")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("screen", "keys"), [("queue", []), ("call", ["enter", "down", "down"])])
def test_screens(
    snap_compare: Any,
    tmp_path: Path,
    screen: str,
    keys: list[str],
    language: str,
    size: tuple[int, int],
) -> None:
    app = app_for(tmp_path, language)
    try:
        assert snap_compare(app, press=keys, terminal_size=size)
    finally:
        app.store.close()
