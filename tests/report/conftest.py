"""A real call store for report tests: the bundled example calls, scored, then copied
to several reps over several weeks with known totals."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from coach.analysis.scorecard import to_dict
from coach.cli_score import score_file
from coach.config import load_settings
from coach.store import Store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "calls"
SCRIPT_QUOTE = "<script>alert('x')</script> & more"

# (rep, team, date, example, total): the totals are overridden so aggregates are known
CALLS: tuple[tuple[str, str, str, str, float], ...] = (
    ("anna", "north", "2026-11-02T10:00:00", "en-car-dealer-good", 80.0),
    ("anna", "north", "2026-11-04T11:00:00", "en-car-dealer-poor", 40.0),
    ("anna", "north", "2026-11-10T09:30:00", "en-car-dealer-good", 90.0),
    ("boris", "north", "2026-11-03T14:00:00", "ru-car-dealer-good", 70.0),
    ("boris", "north", "2026-11-11T15:00:00", "ru-car-dealer-poor", 30.0),
    ("carl", "south", "2026-11-05T12:00:00", "en-car-dealer-poor", 50.0),
)


@cache
def example_card(name: str) -> dict[str, Any]:
    card = score_file(
        EXAMPLES / f"{name}.txt",
        script=None,
        rubric=None,
        rep=None,
        language=None,
        settings=load_settings(),
        classifier="rules",
    )
    return to_dict(card)


def card_with(name: str, total: float, pass_mark: float = 65.0) -> dict[str, Any]:
    card = copy.deepcopy(example_card(name))
    card["total"] = total
    card["passed"] = total >= pass_mark
    return card


def fill(store: Store) -> list[int]:
    ids = []
    for number, (rep, team, date, name, total) in enumerate(CALLS):
        card = card_with(name, total)
        if number == 1:  # a poor call's evidence quotes a transcript that says <script>
            card["criteria"][0]["passed"] = False
            card["criteria"][0]["evidence"] = [{"utterance": 0, "start": 1.0, "text": SCRIPT_QUOTE}]
            card["utterances"][0]["text"] = SCRIPT_QUOTE
        stored = store.put_scorecard(
            card, content_hash=f"hash-{number}", rep=rep, team=team, date=date
        )
        ids.append(stored.id)
    store.tag(ids[0], "best", utterance=2)
    store.tag(ids[1], "best", utterance=0)
    store.comment(ids[1], "Watch the <b>pitch</b> here", author="lead")
    return ids


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "calls.db"
    with Store(path) as store:
        fill(store)
    return path
