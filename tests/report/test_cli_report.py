"""`coach report` on a real SQLite store, through click's CliRunner and the console script."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from coach.cli import cli
from coach.errors import CoachError
from tests.conftest import Run


def report(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, ["report", *args])
    return result.exit_code, result.output, result.exception


def test_markdown_to_stdout_by_default(store_path: Path) -> None:
    code, out, _ = report("--db", str(store_path))
    assert code == 0
    assert out.startswith("# Call report: all calls\n")
    assert "Calls: 6" in out


@pytest.mark.parametrize(
    ("args", "scope", "count"),
    [
        (["--team", "north"], "team north", 5),
        (["--rep", "anna"], "rep anna", 3),
        (["--since", "2026-11-04", "--until", "2026-11-05"], "all calls", 2),
        (["--team", "north", "--until", "2026-11-03"], "team north", 2),
    ],
)
def test_selection(store_path: Path, args: list[str], scope: str, count: int) -> None:
    code, out, _ = report("--db", str(store_path), *args)
    assert code == 0, out
    assert f"# Call report: {scope}\n" in out and f"Calls: {count}\n" in out


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "# Call report: team north"), ("ru", "# Отчёт по звонкам: команда north")],
)
def test_language(store_path: Path, language: str, heading: str) -> None:
    code, out, _ = report("--db", str(store_path), "--team", "north", "--language", language)
    assert code == 0 and out.startswith(heading)


def test_html_to_a_file(store_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "team.html"
    code, _, _ = report("--db", str(store_path), "--format", "html", "--out", str(target))
    assert code == 0
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 4


def test_csv_and_json(store_path: Path) -> None:
    _, out, _ = report("--db", str(store_path), "--format", "csv", "--rep", "boris")
    assert [r["id"] for r in csv.DictReader(io.StringIO(out))] == ["4", "5"]
    _, out, _ = report("--db", str(store_path), "--format", "json", "--rep", "boris")
    assert json.loads(out)["reps"][0]["mean_score"] == pytest.approx(50.0)


def test_one_call(store_path: Path) -> None:
    code, out, _ = report("--db", str(store_path), "--call", "2", "--format", "html")
    assert code == 0 and "<h1>Call 2: anna · 2026-11-04</h1>" in out
    assert "&lt;script&gt;" in out and "<script>" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rep", "nobody"], "no scored calls in"),
        (["--since", "2027-01-01"], "for --since 2027-01-01; widen the selection"),
        (["--since", "last week"], "--since 'last week' is not a date; use YYYY-MM-DD"),
        (["--call", "99"], "no call 99 in the store"),
    ],
)
def test_user_errors(store_path: Path, args: list[str], message: str) -> None:
    code, _, exc = report("--db", str(store_path), *args)
    assert code == 1 and isinstance(exc, CoachError)
    assert message in str(exc)


def test_missing_store(tmp_path: Path) -> None:
    code, _, exc = report("--db", str(tmp_path / "none.db"))
    assert code == 1 and isinstance(exc, CoachError) and "no call store here" in str(exc)
    assert not (tmp_path / "none.db").exists()


def test_console_script_prints_one_line_and_exits_1(
    coach: Callable[..., Run], store_path: Path
) -> None:
    result = coach("report", "--db", str(store_path), "--team", "west")
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("error: no scored calls")
