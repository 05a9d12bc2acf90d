"""`coach report --format html` for a team over a 10,000-call store, against the bare query.

Builds a store of 10,000 synthetic calls (the bundled examples' scorecards with varied
totals, talk ratios and stage coverage; 20 reps in 2 teams over 3 months), then times,
in the same run: the plain sqlite3 query that fetches the team's rows, and the team
report end to end (the CLI: open the store, select, aggregate, draw, render, write).
Run: .venv/bin/python benchmarks/bench_report.py [--calls N] [--keep DB]   (target < 5 s)
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from coach.analysis.scorecard import to_dict  # noqa: E402
from coach.cli import cli  # noqa: E402
from coach.cli_score import score_file  # noqa: E402
from coach.config import load_settings  # noqa: E402
from coach.store import Store  # noqa: E402

EXAMPLES = sorted((ROOT / "examples" / "calls").glob("*.txt"))
REPS = 20
DAYS = 91
START = datetime(2026, 9, 1, 8, 0)
RUNS = 3
TARGET_S = 5.0
BARE_SQL = (
    "SELECT c.id, c.source, c.rep, c.team, c.date, c.language, c.script, c.duration_s, "
    "c.outcome, s.rubric, s.total, s.max_total, s.passed, s.talk_ratio, s.questions, "
    "s.open_questions, s.closed_questions, s.situation, s.problem, s.implication, "
    "s.need_payoff, s.stages FROM calls c JOIN scorecards s ON s.call_id = c.id "
    "WHERE c.team = ? ORDER BY c.date"
)


def real_cards() -> list[dict[str, Any]]:
    settings = load_settings()
    return [
        to_dict(
            score_file(
                path,
                script=None,
                rubric=None,
                rep=None,
                language=None,
                settings=settings,
                classifier="rules",
            )
        )
        for path in EXAMPLES
    ]


def synthetic(card: dict[str, Any], rng: random.Random, skill: float) -> dict[str, Any]:
    """A copy of a real scorecard with this call's own numbers (utterances shared)."""
    total = round(max(0.0, min(100.0, rng.gauss(skill, 12))), 1)
    metrics = dict(card["metrics"])
    metrics["rep_talk_ratio"] = round(max(0.1, min(0.95, rng.gauss(0.55, 0.12))), 3)
    opened = rng.randint(0, 12)
    closed = rng.randint(0, 12)
    metrics.update(rep_questions=opened + closed, open_questions=opened, closed_questions=closed)
    metrics["spin_counts"] = {
        k: rng.randint(0, 5) for k in ("situation", "problem", "implication", "need_payoff")
    }
    stages = [dict(s, covered=rng.random() < skill / 100 + 0.1) for s in card["stages"]]
    return dict(card, total=total, passed=total >= 65, metrics=metrics, stages=stages)


def build_store(path: Path, calls: int) -> float:
    rng = random.Random(7)
    cards = real_cards()
    skills = [rng.uniform(45, 85) for _ in range(REPS)]
    started = time.perf_counter()
    with Store(path) as store:
        for number in range(calls):
            rep = number % REPS
            when = START + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
            stored = store.put_scorecard(
                synthetic(cards[number % len(cards)], rng, skills[rep]),
                content_hash=f"bench-{number}",
                rep=f"rep{rep:02d}",
                team="north" if rep < REPS // 2 else "south",
                date=when.isoformat(timespec="seconds"),
            )
            if number % 200 == 0:
                store.tag(stored.id, "best", utterance=2)
    return time.perf_counter() - started


def bare_query(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    db = sqlite3.connect(path)
    rows = db.execute(BARE_SQL, ("north",)).fetchall()
    db.close()
    return time.perf_counter() - started, len(rows)


def team_report(path: Path, out: Path) -> float:
    started = time.perf_counter()
    result = CliRunner().invoke(
        cli,
        ["report", "--db", str(path), "--team", "north", "--format", "html", "--out", str(out)],
    )
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"coach report failed: {result.output}{result.exception!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="Keep the store at this path.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "calls.db"
        if path.exists():
            print(f"using the existing store {path}")
        else:
            built = build_store(path, args.calls)
            print(f"built {args.calls} calls ({REPS} reps, {DAYS} days) in {built:.1f} s")
        out = Path(tmp) / "team.html"
        bare, report = [], []
        rows = 0
        for _ in range(RUNS):  # side by side, interleaved, so both see the same cache
            seconds, rows = bare_query(path)
            bare.append(seconds)
            report.append(team_report(path, out))
        size = out.stat().st_size
        store_mb = path.stat().st_size / 1e6
    print(f"store: {store_mb:.0f} MB")
    print(f"team north: {rows} calls")
    print(f"bare sqlite3 query:      median {statistics.median(bare):.3f} s  (min {min(bare):.3f})")
    print(
        f"coach report --format html: median {statistics.median(report):.3f} s  "
        f"(min {min(report):.3f}; {size / 1e3:.0f} kB of HTML)"
    )
    verdict = "under" if statistics.median(report) < TARGET_S else "OVER"
    print(f"target {TARGET_S:g} s: {verdict}")


if __name__ == "__main__":
    main()
