"""Cue matching: every cue that starts a word, the longest one wherever several start at
the same place, "$" for whole words only, ё read as е. English and Russian."""

from __future__ import annotations

import pytest

from coach.lexicon import find_cue, find_cues

CUES = ("what happens", "what happens if", "cost$", "costs", "wh", "что будет", "что", "всё$")

# (text, the cues found in it, in order)
ROWS = [
    ("What happens if it breaks?", ["what happens if"]),
    ("And what happens then?", ["what happens"]),
    ("The costs went up", ["costs"]),
    ("What does it cost?", ["wh", "cost$"]),
    ("The costing model", []),  # "cost$" is a whole word; "costs" is not there
    ("somewhat happens", []),  # a cue starts a word
    ("Что будет, если не успеем?", ["что будет"]),
    ("Что вы думаете? Что будет дальше?", ["что", "что будет"]),
    ("Это всё, спасибо", ["всё$"]),
    ("Всё-таки дорого", ["всё$"]),  # a hyphen ends the word
    ("Всёго хорошего", []),
]


@pytest.mark.parametrize(("text", "found"), ROWS, ids=[r[0][:24] for r in ROWS])
def test_cues_found_longest_first(text: str, found: list[str]) -> None:
    assert find_cues(text, CUES) == found
    assert find_cue(text, CUES) == (found[0] if found else None)


def test_the_same_tuple_and_an_equal_list_find_the_same() -> None:
    text = "What happens if the cost doubles?"
    assert find_cues(text, CUES) == find_cues(text, list(CUES)) == ["what happens if", "cost$"]
    assert find_cues(text, ()) == []
