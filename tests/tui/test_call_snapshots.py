"""Snapshots of the call's main screens at 80×24, English and Russian.

Update after a deliberate change of the look: pytest tests/tui --snapshot-update
"""

from __future__ import annotations

from typing import Any

import pytest

from coach.call.session import CallSession
from coach.config import BUNDLED_TEMPLATES
from coach.scripts.loader import load_script
from coach.scripts.render import variable_values
from coach.tui.call_app import CallApp


def app_for(script_id: str, tmp_path: Any) -> CallApp:
    script = load_script(script_id, [BUNDLED_TEMPLATES])
    values = variable_values(script, {}, use_examples=True)
    session = CallSession(script, values, tmp_path / "call", "Anna", clock=lambda: 1_000.0)
    session.goto("situation")
    session.tick(0)
    return CallApp(session)


@pytest.mark.parametrize("script_id", ["car-dealer-en", "car-dealer-ru"])
@pytest.mark.parametrize(
    ("screen", "keys"),
    [("stage", []), ("objection", ["slash", *"price", "enter"]), ("outcome", ["o"])],
)
def test_screens(
    snap_compare: Any, tmp_path: Any, script_id: str, screen: str, keys: list[str]
) -> None:
    assert snap_compare(app_for(script_id, tmp_path), press=keys, terminal_size=(80, 24))
