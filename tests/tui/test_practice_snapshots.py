"""A snapshot of the practice screen at 80×24 with the scripted client and a frozen clock.

Update after a deliberate change of the look: pytest tests/tui --snapshot-update
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from coach.analysis.rubric import load_rubric
from coach.config import BUNDLED_RUBRICS, BUNDLED_TEMPLATES
from coach.practice.client import ScriptedClient
from coach.practice.persona import persona
from coach.practice.session import PracticeSession
from coach.scripts.loader import load_script
from coach.scripts.render import variable_values
from coach.tui.practice_app import PracticeApp, SayInput

LINES = {
    "car-dealer-en": ["Hello, this is Anna from AutoCity.", "We have the car you looked at."],
    "car-dealer-ru": ["Здравствуйте, это Анна из АвтоСити.", "Машина, которую вы смотрели, есть."],
}


def app_for(script_id: str, tmp_path: Path) -> PracticeApp:
    script = load_script(script_id, [BUNDLED_TEMPLATES])
    values = variable_values(script, {}, use_examples=True)
    session = PracticeSession(
        script, values, tmp_path / "practice", persona="price-focused", clock=lambda: 1_000.0
    )
    client = ScriptedClient(session.script, persona("price-focused"), session.language)
    return PracticeApp(session, client, load_rubric("discovery", [BUNDLED_RUBRICS]))


@pytest.mark.parametrize("script_id", ["car-dealer-en", "car-dealer-ru"])
def test_practice_screen(snap_compare: Any, tmp_path: Path, script_id: str) -> None:
    async def talk(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, PracticeApp)
        box = app.query_one("#say", SayInput)
        box.cursor_blink = False
        for line in LINES[script_id]:
            box.value = line
            await pilot.press("enter")
            while app.replying:
                await pilot.pause(0.02)
        box.value = "I understand"
        await pilot.pause()

    assert snap_compare(app_for(script_id, tmp_path), run_before=talk, terminal_size=(80, 24))
