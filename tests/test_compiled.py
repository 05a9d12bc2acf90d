"""The compiled analysis (coach.speedups) gives exactly what the plain Python gives, and a
stale build is never used."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coach import compiled

ROOT = Path(__file__).resolve().parent.parent
CALLS = sorted((ROOT / "tests" / "data" / "labelled").glob("*.json"))[:6]

# prints every call's analysis, as given and as speech recognition gives it, as JSON
ANALYSE = """
import json, sys
from pathlib import Path
from coach import compiled
from coach.analysis.analyse import analyse
from coach.analysis.evaluate import load_labelled, variant
from coach.analysis.rubric import load_rubric
from coach.analysis.scorecard import build
from coach.config import BUNDLED_RUBRICS
rubric = load_rubric("discovery", [BUNDLED_RUBRICS])
out = {"compiled": compiled.active(), "calls": []}
for path in sys.argv[1:]:
    for form in ("json", "asr"):
        transcript, _ = variant(load_labelled(Path(path)), form)
        analysis = analyse(transcript)
        card = build(analysis, rubric)
        out["calls"].append({
            "questions": [[(q.start, q.end, q.form.value, q.spin and q.spin.value, q.evidence)
                           for q in found] for found in analysis.questions],
            "stages": [[(e.kind.value, e.reason, e.decisive) for e in found]
                       for found in analysis.stages],
            "rhetorical": analysis.rhetorical,
            "metrics": repr(analysis.metrics),
            "score": card.total,
            "criteria": [(r.id, r.score, r.passed, r.detail) for r in card.criteria],
        })
print(json.dumps(out))
"""


def _analysed(pure: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != compiled.PURE_ENV}
    if pure:
        env[compiled.PURE_ENV] = "1"
    done = subprocess.run(
        [sys.executable, "-c", ANALYSE, *map(str, CALLS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_compiled_analysis_gives_what_plain_python_gives() -> None:
    reason = compiled.build_stale_reason()  # no build, a partial one, or a stale one
    if reason is not None:
        if os.environ.get("COACH_REQUIRE_COMPILED"):
            pytest.fail(f"no current compiled build: {reason}")
        pytest.skip(f"no current compiled build: {reason}")
    fast, plain = _analysed(pure=False), _analysed(pure=True)
    assert fast["compiled"] is True
    assert plain["compiled"] is False
    assert len(fast["calls"]) == 2 * len(CALLS)  # type: ignore[arg-type]
    assert fast["calls"] == plain["calls"]


def test_pure_python_switch_runs_the_sources() -> None:
    env = {**os.environ, compiled.PURE_ENV: "1"}
    code = (
        "import coach.analysis.questions as q, coach.lexicon as l; from coach import compiled;"
        "print(q.__file__, l.__file__, compiled.status(), sep='|')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    questions, lexicon, status = out.split("|")
    assert questions.endswith("questions.py")
    assert lexicon.endswith("__init__.py")
    assert status == f"plain Python: {compiled.PURE_ENV} is set"


def test_a_changed_source_makes_the_build_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = {m: compiled.digest(compiled.source_of(m)) for m in compiled.MODULES}
    manifest = tmp_path / "_compiled.json"
    monkeypatch.setattr(compiled, "MANIFEST", manifest)
    built = {m: [tmp_path / f"{m}.so"] for m in compiled.MODULES}  # as if each was compiled
    monkeypatch.setattr(compiled, "_compiled_of", lambda m: built[m])
    monkeypatch.setattr(compiled, "_shared_library", lambda: [tmp_path / "shared.so"])
    manifest.write_text(json.dumps({"python": sys.implementation.cache_tag, "sources": hashes}))
    assert compiled.build_stale_reason() is None
    hashes["coach.analysis.metrics"] = "0" * 64
    manifest.write_text(json.dumps({"python": sys.implementation.cache_tag, "sources": hashes}))
    assert compiled.build_stale_reason() == (
        "source changed since the build: coach.analysis.metrics"
    )
    manifest.write_text(json.dumps({"python": "cpython-27", "sources": hashes}))
    assert "built for cpython-27" in str(compiled.build_stale_reason())
    manifest.write_text("{not json")
    assert compiled.build_stale_reason() == "_compiled.json is unreadable"
    manifest.write_text(json.dumps({"python": sys.implementation.cache_tag, "sources": hashes}))
    built["coach.analysis.stages"] = []  # one compiled module deleted
    assert compiled.build_stale_reason() == "compiled modules missing: coach.analysis.stages"
    manifest.unlink()
    assert str(compiled.build_stale_reason()).startswith("not built")


def test_the_source_finder_takes_only_the_compiled_modules() -> None:
    finder = compiled._FromSource()
    package = finder.find_spec("coach.lexicon", None)
    assert package is not None and package.origin is not None
    assert package.origin.endswith("lexicon/__init__.py")
    assert package.submodule_search_locations
    module = finder.find_spec("coach.analysis.questions", None)
    assert module is not None and str(module.origin).endswith("questions.py")
    assert finder.find_spec("coach.store", None) is None
    assert finder.find_spec("json", None) is None


def test_every_compiled_module_has_its_source() -> None:
    for module in compiled.MODULES:
        assert compiled.source_of(module).is_file(), module


def _written_inits() -> list[tuple[str, ast.ClassDef]]:
    """Every dataclass in the compiled modules whose __init__ is written out by hand."""
    out = []
    for module in compiled.MODULES:
        tree = ast.parse(compiled.source_of(module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ClassDef)
                and any("dataclass" in ast.unparse(d) for d in node.decorator_list)
                and any(isinstance(b, ast.FunctionDef) and b.name == "__init__" for b in node.body)
            ):
                out.append((f"{module}.{node.name}", node))
    return out


def test_written_out_inits_match_their_fields() -> None:
    """A dataclass __init__ written by hand (fast when compiled) takes exactly the fields,
    in order, with their defaults and types, and sets every one of them."""
    found = _written_inits()
    assert {name.rsplit(".", 1)[1] for name, _ in found} >= {
        "Utterance",
        "Question",
        "StageEvidence",
    }
    for name, node in found:
        fields = [
            (b.target.id, ast.unparse(b.annotation), b.value and ast.unparse(b.value))
            for b in node.body
            if isinstance(b, ast.AnnAssign) and isinstance(b.target, ast.Name)
        ]
        init = next(b for b in node.body if isinstance(b, ast.FunctionDef) and b.name == "__init__")
        args = init.args.args[1:]
        defaults = [None] * (len(args) - len(init.args.defaults)) + [
            ast.unparse(d) for d in init.args.defaults
        ]
        taken = [
            (a.arg, a.annotation and ast.unparse(a.annotation), d)
            for a, d in zip(args, defaults, strict=True)
        ]
        assert taken == fields, name
        body = ast.unparse(init)
        for field, _, _ in fields:
            assert f"object.__setattr__(self, '{field}'" in body, (name, field)


def test_a_compiled_module_runs_as_a_program() -> None:
    """``python -m coach.analysis.spin_model DIR…`` retrains a model: runpy needs source."""
    done = subprocess.run(
        [sys.executable, "-m", "coach.analysis.dense"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("argv", "main"),
    [
        (["python", "-m", "coach.analysis.spin_model", "dir"], "coach.analysis.spin_model"),
        (["python", "-m", "coach.speedups", "build"], None),
        (["python", "-m", "pytest", "-m", "coach.text"], None),
        (["coach", "score", "call.json"], None),
    ],
)
def test_run_as_main_names_only_compiled_modules(
    argv: list[str], main: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "orig_argv", argv)
    assert compiled.run_as_main() == main
