"""Rules of the house that a test can hold: the core never imports Textual."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "coach"
FILES = sorted(p for p in CORE.rglob("*.py") if "tui" not in p.relative_to(CORE).parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_does_not_import_textual(path: Path) -> None:
    assert "textual" not in _imports(path)


def test_the_check_sees_an_import() -> None:
    assert "textual" in _imports(Path(__file__).with_name("fixtures_textual_import.py.txt"))


def _coach_modules(path: Path) -> set[str]:
    """Every ``coach.*`` module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("coach.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coach."):
            names.add(node.module)
    return names


CORE_NOT_CLI = sorted(
    p
    for p in CORE.rglob("*.py")
    if not p.name.startswith("cli") and p.name != "__main__.py" and "tui" not in p.parts
)


@pytest.mark.parametrize("path", CORE_NOT_CLI, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_does_not_reach_into_the_command_line(path: Path) -> None:
    """The core (analysis, batch, store, report, llm…) is called by the CLI, never the
    other way round, so it stays usable from the TUI, batch workers and other tools."""
    cli = {m for m in _coach_modules(path) if m.split(".")[1].startswith("cli")}
    assert not cli, f"{path.relative_to(CORE)} imports {sorted(cli)}"


def test_the_cli_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from coach.cli_score import score_file\n", encoding="utf-8")
    assert "coach.cli_score" in _coach_modules(sample)
