"""A practice session over a bundled script with a clock that ticks five seconds a look."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from coach.config import BUNDLED_TEMPLATES
from coach.practice.session import PracticeSession
from coach.scripts.loader import load_script
from coach.scripts.model import Script
from coach.scripts.render import variable_values


def ticking(start: float = 1_000.0, step: float = 5.0) -> Callable[[], float]:
    now = [start]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


def bundled(script_id: str) -> Script:
    return load_script(script_id, [BUNDLED_TEMPLATES])


@pytest.fixture
def practice(tmp_path: Path) -> Callable[..., PracticeSession]:
    def make(
        script_id: str, persona: str = "skeptical", language: str | None = None
    ) -> PracticeSession:
        script = bundled(script_id)
        values = variable_values(script, {}, use_examples=True)
        return PracticeSession(
            script, values, tmp_path / script_id, persona=persona, language=language,
            clock=ticking(),
        )  # fmt: skip

    return make
