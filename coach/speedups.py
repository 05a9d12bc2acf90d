"""Compile the analysis core to C with mypyc: the same results, about 1.3 times as fast.

Scoring a call is many small Python steps per word and per question. The build is
optional: without a C compiler or mypyc, coach runs the same modules as plain Python.

    python -m coach.speedups build [--if-stale]  # compile coach.compiled.MODULES in place
    python -m coach.speedups status              # compiled, or plain Python and why
    python -m coach.speedups clean               # remove the compiled modules
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from coach.compiled import (
    GROUP,
    MANIFEST,
    MODULES,
    ROOT,
    build_stale_reason,
    compiled_files,
    digest,
    source_of,
)
from coach.compiled import status as status


def build() -> None:
    """Compile MODULES in place; the manifest records the sources they were built from."""
    from mypyc.build import mypycify  # dev dependency: mypy ships mypyc
    from setuptools import setup  # type: ignore[import-untyped]

    clean()
    sources = [str(source_of(m).relative_to(ROOT)) for m in MODULES]
    hashes = {m: digest(source_of(m)) for m in MODULES}
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="coach-mypyc-") as work:
        os.chdir(ROOT)
        try:
            extensions = mypycify(
                sources, opt_level="3", group_name=GROUP, target_dir=str(Path(work) / "c")
            )
            setup(
                name="coach-speedups",
                packages=[],
                py_modules=[],
                ext_modules=extensions,
                script_args=[
                    "--quiet",
                    "build_ext",
                    "--inplace",
                    "--build-temp",
                    str(Path(work) / "o"),
                    "--build-lib",
                    str(Path(work) / "lib"),
                ],
            )
        finally:
            os.chdir(here)
    MANIFEST.write_text(
        json.dumps({"python": sys.implementation.cache_tag, "sources": hashes}, indent=1) + "\n",
        encoding="utf-8",
    )


def clean() -> None:
    for path in [*compiled_files(), MANIFEST]:
        path.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "status"
    if command == "build":
        if "--if-stale" in args and build_stale_reason() is None:
            print("coach.speedups: compiled modules are current")
            return 0
        build()
        print("coach.speedups: built", len(MODULES), "modules")
    elif command == "clean":
        clean()
        print("coach.speedups: removed the compiled modules")
    elif command == "status":
        print(status())
    else:
        print(f"usage: python -m coach.speedups build [--if-stale]|status|clean (not {command!r})")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
