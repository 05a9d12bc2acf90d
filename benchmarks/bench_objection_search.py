"""Objection search over 2,000 cards (issue target: under 10 ms a keypress), against a plain
rapidfuzz scan over the same strings in the same run.
Run: .venv/bin/python benchmarks/bench_objection_search.py
"""

from __future__ import annotations

import statistics
import time

from rapidfuzz import fuzz, process

from coach.call.search import ObjectionIndex
from coach.config import BUNDLED_TEMPLATES
from coach.scripts.loader import load_script
from coach.scripts.model import Objection

QUERIES = [
    "too expensive",
    "дорого",
    "send me",
    "пришлите на почту",
    "no time",
    "подумаю",
    "we already have",
    "у нас уже есть",
    "pri",
    "не решаю",
]


def cards(count: int) -> list[Objection]:
    base = [
        *load_script("car-dealer-en", [BUNDLED_TEMPLATES]).objections,
        *load_script("car-dealer-ru", [BUNDLED_TEMPLATES]).objections,
    ]
    out = []
    for n in range(count):
        card = base[n % len(base)]
        # distinct triggers per card, so the index cannot fold the copies together
        triggers = [f"{t} {n}" for t in card.triggers]
        out.append(card.model_copy(update={"id": f"{card.id}-{n}", "triggers": triggers}))
    return out


def timed(work: object) -> float:
    samples = []
    for query in QUERIES * 5:
        start = time.perf_counter()
        work(query)  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    library = cards(2000)
    start = time.perf_counter()
    index = ObjectionIndex(library)
    built = (time.perf_counter() - start) * 1000
    strings = [t for card in library for t in card.triggers]
    print(f"2000 cards, {len(strings)} triggers; index built in {built:.0f} ms")
    print(f"{'what':<44}{'ms per query (median)':>22}")
    print(
        f"{'plain rapidfuzz extract, default WRatio':<44}"
        f"{timed(lambda q: process.extract(q, strings, scorer=fuzz.WRatio, limit=8)):>22.2f}"
    )
    print(
        f"{'plain rapidfuzz extract, QRatio scorer':<44}"
        f"{timed(lambda q: process.extract(q, strings, scorer=fuzz.QRatio, limit=8)):>22.2f}"
    )
    print(f"{'coach ObjectionIndex.search':<44}{timed(index.search):>22.2f}")


if __name__ == "__main__":
    main()
