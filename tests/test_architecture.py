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
