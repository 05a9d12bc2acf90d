"""Scoring throughput: sixty-utterance transcripts per second on one core.

Side by side in the same run: plain json.loads + a "?"-counting baseline (the floor any
analysis pays), coach's import, analysis, and analysis + rubric scoring.
Run: .venv/bin/python benchmarks/bench_score.py [N]
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from coach.analysis.analyse import analyse
from coach.analysis.rubric import load_rubric
from coach.analysis.scorecard import build
from coach.analysis.transcript import parse_transcript
from coach.config import BUNDLED_RUBRICS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "tests" / "data" / "labelled").glob("*.json"))
UTTERANCES = 60


def make_calls(count: int, seed: int = 7) -> list[str]:
    """Sixty-utterance calls stitched from the labelled test calls, as JSON text."""
    rng = random.Random(seed)
    pools: dict[str, list[dict[str, object]]] = {}
    for path in SOURCES:
        data = json.loads(path.read_text(encoding="utf-8"))
        pools.setdefault(data["language"], []).extend(data["utterances"])
    calls = []
    for n in range(count):
        language = "en" if n % 2 else "ru"
        pool = pools[language]
        start = rng.randrange(0, len(pool) - UTTERANCES)
        clock = 0.0
        utterances = []
        for k, item in enumerate(pool[start : start + UTTERANCES]):
            duration = float(item["end"]) - float(item["start"])  # type: ignore[arg-type]
            utterances.append(
                {
                    "speaker": "rep" if k % 2 == 0 else "client",
                    "start": clock,
                    "end": clock + duration,
                    "text": item["text"],
                }
            )
            clock += duration + 0.4
        calls.append(
            json.dumps(
                {"schema_version": 1, "language": language, "utterances": utterances},
                ensure_ascii=False,
            )
        )
    return calls


REPEATS = 5  # best of five: other work on a shared machine only ever slows a run down


def rate(label: str, calls: list[str], work: Callable[[str], object]) -> float:
    best = 0.0
    for _ in range(REPEATS):
        start = time.perf_counter()
        for text in calls:
            work(text)
        best = max(best, len(calls) / (time.perf_counter() - start))
    print(f"{label:<46}{best:>12.0f}")
    return best


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    calls = make_calls(count)
    rubric = load_rubric("discovery", [BUNDLED_RUBRICS])
    for text in calls[:20]:  # warm caches the way a long batch does
        build(analyse(parse_transcript(text, "warm.json")), rubric)
    print(f"{count} calls of {UTTERANCES} utterances, one core, best of {REPEATS} runs")
    print(f"{'what':<46}{'calls/s':>12}")

    def baseline(text: str) -> int:
        return sum(u["text"].count("?") for u in json.loads(text)["utterances"])

    rate("json.loads + count '?' (plain baseline)", calls, baseline)
    rate("coach parse_transcript", calls, lambda t: parse_transcript(t, "c.json"))
    rate(
        "coach parse + analyse (rules only)",
        calls,
        lambda t: analyse(parse_transcript(t, "c.json"), classifier="rules"),
    )
    rate(
        "coach parse + analyse (rules + models)",
        calls,
        lambda t: analyse(parse_transcript(t, "c.json")),
    )
    rate(
        "coach parse + analyse + score (discovery)",
        calls,
        lambda t: build(analyse(parse_transcript(t, "c.json")), rubric),
    )


if __name__ == "__main__":
    main()
