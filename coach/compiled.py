"""Whether the analysis runs compiled, and the guard that keeps a stale build unused.

``coach.speedups`` compiles MODULES to C with mypyc (as black and mypy ship themselves).
A compiled module is used only while every source in MODULES is byte for byte the one it
was built from (``_compiled.json`` keeps their hashes): edit one and coach runs all of them
from source until the next build, since compiled modules call each other directly.
``COACH_PURE_PYTHON=1`` runs from source even when the build is current.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import itertools
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
MANIFEST = PACKAGE / "_compiled.json"
GROUP = "coach_speedups"  # the shared library: coach_speedups__mypyc.<abi>.so beside coach/
PURE_ENV = "COACH_PURE_PYTHON"

# what scoring a call runs through, measured with benchmarks/bench_score.py
MODULES = (
    "coach.text",
    "coach.lexicon",
    "coach.analysis.questions",
    "coach.analysis.stages",
    "coach.analysis.stage_model",
    "coach.analysis.spin_model",
    "coach.analysis.rhetoric_model",
    "coach.analysis.turn_model",
    "coach.analysis.spoken_model",
    "coach.analysis.joined_model",
    "coach.analysis.dense",
    "coach.analysis.logistic",
    "coach.analysis.transcript",
    "coach.analysis.analyse",
    "coach.analysis.metrics",
    "coach.analysis.scorecard",
    "coach.analysis.scoring",
)


def source_of(module: str) -> Path:
    """The .py file a module name stands for (a package's ``__init__.py``)."""
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _extensions(folder: Path, stem: str) -> list[Path]:
    """Compiled modules named ``stem`` in ``folder`` (any of this Python's suffixes)."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return [p for p in folder.glob(stem + ".*") if p.name.endswith(suffixes)]


def _compiled_of(module: str) -> list[Path]:
    source = source_of(module)
    return _extensions(source.parent, source.stem)


def _shared_library() -> list[Path]:
    return _extensions(ROOT, GROUP + "__mypyc")


def compiled_files() -> list[Path]:
    """The compiled modules and shared library present on disk."""
    return [p for module in MODULES for p in _compiled_of(module)] + _shared_library()


def stale_reason() -> str | None:
    """Why the compiled modules must not be used (None: they are current)."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return f"{PURE_ENV} is set"
    return build_stale_reason()


def build_stale_reason() -> str | None:
    """Why the compiled modules are not those of the sources here (None: they are)."""
    missing = [m for m in MODULES if not _compiled_of(m)]
    if not MANIFEST.is_file() or missing == list(MODULES):
        return "not built (python -m coach.speedups build)"
    if missing or not _shared_library():
        return f"compiled modules missing: {', '.join(missing) or GROUP + '__mypyc'}"
    try:
        built = json.loads(MANIFEST.read_text(encoding="utf-8"))
        hashes = built["sources"]
        if built.get("python") != sys.implementation.cache_tag:
            return f"built for {built.get('python')}, running {sys.implementation.cache_tag}"
        changed = [m for m in MODULES if hashes.get(m) != digest(source_of(m))]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"{MANIFEST.name} is unreadable"
    if changed:
        return f"source changed since the build: {', '.join(changed)}"
    return None


class _FromSource:
    """A meta path finder: loads MODULES from their .py files, ahead of the compiled ones
    beside them."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MODULES:
            return None
        source = source_of(fullname)
        package = [str(source.parent)] if source.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(
            fullname, source, submodule_search_locations=package
        )


def run_as_main() -> str | None:
    """The compiled module this process was started as (``python -m coach.analysis.
    spin_model …`` retrains a model): runpy needs its source to run it."""
    argv = getattr(sys, "orig_argv", [])
    for flag, name in itertools.pairwise(argv):
        if flag == "-m":
            return name if name in MODULES else None
    return None


def guard() -> None:
    """Run from source when compiled modules are present but not current (see module doc),
    or when one of them is run as a program."""
    if not compiled_files() or any(isinstance(f, _FromSource) for f in sys.meta_path):
        return
    if run_as_main() is not None or stale_reason() is not None:
        sys.meta_path.insert(0, _FromSource())


def active() -> bool:
    """The analysis in this process runs compiled."""
    module = sys.modules.get("coach.analysis.questions")
    if module is None:
        import coach.analysis.questions as module
    return not str(getattr(module, "__file__", "")).endswith(".py")


def status() -> str:
    if active():
        return f"compiled (mypyc): {len(MODULES)} modules"
    main = run_as_main()
    why = f"{main} runs as a program" if main else stale_reason()
    return f"plain Python: {why or 'compiled modules not loaded'}"
