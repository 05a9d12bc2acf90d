"""Load + lint speed of the bundled scripts, side by side with plain yaml.safe_load.

Run: .venv/bin/python benchmarks/bench_scripts.py   (prints one table; no assertions)
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable

import yaml

from coach.config import BUNDLED_TEMPLATES
from coach.scripts.lint import lint
from coach.scripts.loader import load_script, script_files
from coach.yamlsource import load_yaml_file

FILES = script_files([BUNDLED_TEMPLATES])
ROUNDS = 15


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Median wall time in ms over ROUNDS and peak traced memory in MiB for one run."""
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


def plain_safe_load() -> None:
    for path in FILES:
        with path.open(encoding="utf-8") as handle:
            yaml.safe_load(handle)


def plain_c_safe_load() -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in FILES:
        with path.open(encoding="utf-8") as handle:
            yaml.load(handle, Loader=loader)


def located_parse() -> None:
    for path in FILES:
        load_yaml_file(path)


def load_resolved() -> None:
    for path in FILES:
        load_script(path, [BUNDLED_TEMPLATES])


def load_and_lint() -> None:
    for path in FILES:
        lint(load_script(path, [BUNDLED_TEMPLATES]))


def main() -> None:
    size = sum(p.stat().st_size for p in FILES) / 1024
    print(f"{len(FILES)} bundled script files, {size:.0f} KiB, median of {ROUNDS} rounds")
    print(f"{'what':<44}{'ms (all files)':>16}{'peak MiB':>10}")
    for name, fn in [
        ("yaml.safe_load (plain PyYAML, pure Python)", plain_safe_load),
        ("yaml CSafeLoader (plain PyYAML, libyaml)", plain_c_safe_load),
        ("coach located parse (lines kept)", located_parse),
        ("coach load_script (extends, include, pydantic)", load_resolved),
        ("coach load_script + lint", load_and_lint),
    ]:
        ms, peak = timed(fn)
        print(f"{name:<44}{ms:>16.1f}{peak:>10.1f}")


if __name__ == "__main__":
    main()
