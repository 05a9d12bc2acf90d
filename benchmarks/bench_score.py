"""Scoring throughput: sixty-utterance transcripts per second on one core.

Side by side in the same run: plain json.loads + a "?"-counting baseline (the floor any
analysis pays), coach's import, analysis, and analysis + rubric scoring; with the compiled
analysis (coach.speedups) built, a second column runs the same batches as plain Python.
The last row scores again with the garbage collector as the ``coach`` command sets it
(``coach.collector``: young collections every 20,000 allocations instead of 700).
Run: .venv/bin/python benchmarks/bench_score.py [N]
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from coach import collector, compiled
from coach.analysis.analyse import analyse
from coach.analysis.rubric import load_rubric
from coach.analysis.scorecard import build
from coach.analysis.transcript import parse_transcript
from coach.config import BUNDLED_RUBRICS
from coach.text import split_sentences

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path
    for folder in ("labelled", "train", "blind")
    for path in (ROOT / "tests" / "data" / folder).glob("*.json")
)
UTTERANCES = 60


@cache
def _corpus() -> tuple[dict[tuple[str, str], list[str]], dict[str, list[tuple[str, int, float]]]]:
    """Read once: (language, speaker) → every sentence the labelled calls have, and
    language → the shape of every turn (speaker, number of sentences, duration)."""
    pools: dict[tuple[str, str], list[str]] = {}
    shapes: dict[str, list[tuple[str, int, float]]] = {}
    for path in SOURCES:
        data = json.loads(path.read_text(encoding="utf-8"))
        language = data["language"]
        for item in data["utterances"]:
            sentences = split_sentences(item["text"], language)
            pools.setdefault((language, item["speaker"]), []).extend(sentences)
            duration = float(item["end"]) - float(item["start"])
            shapes.setdefault(language, []).append((item["speaker"], len(sentences), duration))
    return pools, shapes


def make_calls(count: int, seed: int = 7) -> list[str]:
    """Sixty-utterance calls, as JSON text, in which (almost) every utterance is new.

    Each takes the shape of a run of real turns (speaker, length in sentences, duration)
    and fills every sentence with a random one said by the same side in the same language.
    A real batch never repeats a call's lines, so caches keyed by an utterance's text must
    not make the benchmark look faster than scoring real calls is.
    """
    rng = random.Random(seed)
    pools, shapes = _corpus()
    calls = []
    for n in range(count):
        language = "en" if n % 2 else "ru"
        shape = shapes[language]
        start = rng.randrange(0, len(shape) - UTTERANCES)
        clock = 0.0
        utterances = []
        for speaker, sentences, duration in shape[start : start + UTTERANCES]:
            pool = pools[(language, speaker)]
            text = " ".join(rng.choice(pool) for _ in range(max(1, sentences)))
            utterances.append(
                {"speaker": speaker, "start": clock, "end": clock + duration, "text": text}
            )
            clock += max(0.3, duration) + 0.4
        calls.append(
            json.dumps(
                {"schema_version": 1, "language": language, "utterances": utterances},
                ensure_ascii=False,
            )
        )
    return calls


REPEATS = 5  # best of five: other work on a shared machine only ever slows a run down
CHILD = "COACH_BENCH_CHILD"  # set in the child run that measures the plain-Python analysis


def rate(batches: Iterator[list[str]], work: Callable[[str], object]) -> float:
    """Best of REPEATS runs, each over a batch of calls no earlier run has seen."""
    best = 0.0
    for _ in range(REPEATS):
        calls = next(batches)
        start = time.perf_counter()
        for text in calls:
            work(text)
        best = max(best, len(calls) / (time.perf_counter() - start))
    return best


def measure(count: int) -> dict[str, float]:
    """calls/s of each row, on the same batches (same seeds) in every process."""
    seeds = itertools.count(1)
    batches = (make_calls(count, next(seeds)) for _ in itertools.count())
    rubric = load_rubric("discovery", [BUNDLED_RUBRICS])
    for text in next(batches)[:20]:  # load the models and lexicons the way a long batch has
        build(analyse(parse_transcript(text, "warm.json")), rubric)

    def baseline(text: str) -> int:
        return sum(u["text"].count("?") for u in json.loads(text)["utterances"])

    return {
        "json.loads + count '?' (plain baseline)": rate(batches, baseline),
        "coach parse_transcript": rate(batches, lambda t: parse_transcript(t, "c.json")),
        "coach parse + analyse (rules only)": rate(
            batches, lambda t: analyse(parse_transcript(t, "c.json"), classifier="rules")
        ),
        "coach parse + analyse (rules + models)": rate(
            batches, lambda t: analyse(parse_transcript(t, "c.json"))
        ),
        "coach parse + analyse + score (discovery)": rate(
            batches, lambda t: build(analyse(parse_transcript(t, "c.json")), rubric)
        ),
        "  the same, collector as `coach` sets it": _tuned(
            lambda: rate(batches, lambda t: build(analyse(parse_transcript(t, "c.json")), rubric))
        ),
    }


def _tuned(run: Callable[[], float]) -> float:
    """``run`` with the garbage collector as the ``coach`` command sets it, then as before."""
    before = gc.get_threshold()
    collector.tune()
    try:
        return run()
    finally:
        gc.set_threshold(*before)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    if os.environ.get(CHILD):
        print(json.dumps(measure(count)))
        return
    mode = compiled.status()
    here = measure(count)
    columns = {("compiled" if compiled.active() else "plain Python"): here}
    if compiled.active():  # the same batches with the analysis as plain Python, side by side
        child = subprocess.run(
            [sys.executable, __file__, str(count)],
            env={**os.environ, CHILD: "1", compiled.PURE_ENV: "1"},
            capture_output=True,
            text=True,
            check=True,
        )
        columns["plain Python"] = json.loads(child.stdout)
    print(f"{count} calls of {UTTERANCES} utterances, one core, best of {REPEATS} runs")
    print(f"analysis: {mode}")
    print(f"{'calls/s':<46}" + "".join(f"{name:>14}" for name in columns))
    for label in here:
        print(f"{label:<46}" + "".join(f"{rates[label]:>14.0f}" for rates in columns.values()))


if __name__ == "__main__":
    main()
