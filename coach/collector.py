"""How a coach process sets Python's garbage collector.

Scoring a call allocates tens of thousands of small objects (words, tokens, questions,
feature rows) and keeps almost none of them: reference counting frees them. CPython's
default still runs a young-generation collection after every 700 container allocations,
several per scored call, each walking objects that are about to be freed anyway. With
20,000, young collections run about thirty times less often; reference cycles are still
collected, a little later, and what that holds meanwhile is a few megabytes at most.
``benchmarks/bench_score.py`` measures scoring both ways in the same run.
"""

from __future__ import annotations

import gc

YOUNG = 20_000  # container allocations between young collections (CPython's default: 700)


def tune() -> None:
    """Collect the young generation less often; the older generations keep their
    thresholds (a collection of each per ten of the one below)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)
