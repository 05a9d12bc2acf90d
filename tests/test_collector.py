"""The coach command collects young garbage less often (scoring allocates a lot and keeps
little); the older generations keep their thresholds."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from coach import collector
from coach.cli import main


@pytest.fixture(autouse=True)
def restored() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_tune_raises_only_the_young_threshold() -> None:
    gc.set_threshold(700, 7, 9)
    collector.tune()
    assert gc.get_threshold() == (collector.YOUNG, 7, 9)


def test_the_coach_command_tunes_the_collector_before_it_runs(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and "coach" in capsys.readouterr().out
    assert gc.get_threshold()[0] == collector.YOUNG
