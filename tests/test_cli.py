"""The real `coach` console script, run as a user runs it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from coach.cli import cli
from coach.scripts.schema import COMMITTED, schema_text
from tests.conftest import Run

Coach = Callable[..., Run]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p) or "coach")
def test_every_command_has_help(coach: Coach, path: tuple[str, ...]) -> None:
    result = coach(*path, "--help")
    assert result.code == 0, result.err
    assert "Usage: coach" in result.out


def test_version(coach: Coach) -> None:
    from coach import __version__

    result = coach("--version")
    assert result.code == 0 and __version__ in result.out


@pytest.mark.parametrize(
    "args",
    [
        ("script", "render"),
        ("script", "lint"),
        ("script", "nosuch"),
        ("--bogus",),
        ("script", "list", "--format", "xml"),
    ],
)
def test_usage_errors_exit_2(coach: Coach, args: tuple[str, ...]) -> None:
    result = coach(*args)
    assert result.code == 2
    assert "Traceback" not in result.err


def test_script_list_json(coach: Coach) -> None:
    result = coach("script", "list", "--format", "json")
    assert result.code == 0, result.err
    entries = json.loads(result.out)
    assert {"id", "title", "language", "industry", "path"} <= set(entries[0])
    ids = {e["id"] for e in entries}
    assert {"car-dealer-en", "car-dealer-ru"} <= ids
    assert "base-en" not in ids  # abstract bases only with --all
    assert all(Path(e["path"]).is_file() for e in entries)


def test_render_missing_variable_lists_every_name(coach: Coach) -> None:
    result = coach("script", "render", "car-dealer-en")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "client_name" in result.err and "rep_name" in result.err


@pytest.mark.parametrize(
    ("script_id", "marker"), [("car-dealer-en", "Anna"), ("dental-ru", "Анна")]
)
def test_render_with_vars(coach: Coach, script_id: str, marker: str) -> None:
    result = coach(
        "script",
        "render",
        script_id,
        "--example",
        "--var",
        f"client_name={marker}",
        "--format",
        "text",
    )
    assert result.code == 0, result.err
    assert marker in result.out and "{{" not in result.out


def test_render_unknown_script_suggests(coach: Coach) -> None:
    result = coach("script", "render", "car-dealr-en")
    assert result.code == 1
    assert "did you mean 'car-dealer-en'" in result.err


@pytest.mark.parametrize("language", ["en", "ru"])
def test_trainer_workflow_scaffold_edit_lint_render(
    coach: Coach, tmp_path: Path, language: str
) -> None:
    mine = tmp_path / "mine"
    new_id = f"my-dealer-{language}"
    made = coach(
        "--templates",
        str(mine),
        "script",
        "new",
        "--from",
        f"car-dealer-{language}",
        "--id",
        new_id,
        "--title",
        "My dealership",
    )
    assert made.code == 0, made.err
    path = mine / f"{new_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert f"id: {new_id}" in text and "My dealership" in text

    listed = json.loads(coach("--templates", str(mine), "script", "list", "--format", "json").out)
    assert any(e["id"] == new_id and e["path"] == str(path) for e in listed)

    # the trainer breaks the teaser, lint says where
    lines = text.splitlines()
    teaser_at = next(i for i, line in enumerate(lines) if line.strip() == "- id: teaser")
    broken = [*lines[:teaser_at], "  - id: teaser", "    kind: pitch", *lines[teaser_at + 1 :]]
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    linted = coach("--templates", str(mine), "script", "lint", "--strict", new_id)
    assert linted.code == 1
    assert f"{path}:{teaser_at + 2}:" in linted.err
    assert "Traceback" not in linted.err

    path.write_text(text, encoding="utf-8")  # fixed again
    assert coach("--templates", str(mine), "script", "lint", "--strict", new_id).code == 0
    rendered = coach("--templates", str(mine), "script", "render", new_id, "--example")
    assert rendered.code == 0, rendered.err
    assert rendered.out.startswith("# My dealership")


def test_thin_scaffold_extends_the_template(coach: Coach, tmp_path: Path) -> None:
    made = coach(
        "script",
        "new",
        "--from",
        "dental-en",
        "--id",
        "my-dental",
        "--extends",
        "--dir",
        str(tmp_path),
    )
    assert made.code == 0, made.err
    assert "extends: dental-en" in (tmp_path / "my-dental.yaml").read_text(encoding="utf-8")
    shown = coach("--templates", str(tmp_path), "script", "show", "my-dental", "--format", "json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["industry"] == "dental"


def test_scaffold_refuses_to_overwrite(coach: Coach, tmp_path: Path) -> None:
    args = ("script", "new", "--from", "dental-en", "--id", "twice", "--dir", str(tmp_path))
    assert coach(*args).code == 0
    again = coach(*args)
    assert again.code == 1 and "already exists" in again.err


def test_user_directory_wins_over_bundled(coach: Coach, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parent.parent / "script_templates" / "dental-en.yaml"
    text = source.read_text(encoding="utf-8").replace("title:", "title: OURS", 1)
    (tmp_path / "dental-en.yaml").write_text(text, encoding="utf-8")
    for args in (["--templates", str(tmp_path)], []):
        env_dir = [] if args else [str(tmp_path)]
        result = coach(*args, "script", "list", "--format", "json") if args else None
        if result is None:
            import os
            import subprocess

            from tests.conftest import COACH

            proc = subprocess.run(
                [str(COACH), "script", "list", "--format", "json"],
                capture_output=True,
                text=True,
                env={**os.environ, "COACH_TEMPLATES": env_dir[0]},
            )
            result = Run(proc.returncode, proc.stdout, proc.stderr)
        entry = next(e for e in json.loads(result.out) if e["id"] == "dental-en")
        assert entry["path"] == str(tmp_path / "dental-en.yaml")
        assert entry["title"].startswith("OURS")


def test_config_file_directories(coach: Coach, tmp_path: Path, isolated_home: Path) -> None:
    mine = tmp_path / "team"
    made = coach("script", "new", "--from", "dental-ru", "--id", "team-dental", "--dir", str(mine))
    assert made.code == 0, made.err
    (isolated_home / "config.yaml").write_text(f"templates: [{mine}]\n", encoding="utf-8")
    listed = json.loads(coach("script", "list", "--format", "json").out)
    assert any(e["id"] == "team-dental" for e in listed)


def test_bad_config_file_is_a_clear_error(coach: Coach, isolated_home: Path) -> None:
    (isolated_home / "config.yaml").write_text("templates: {a: 1}\n", encoding="utf-8")
    result = coach("script", "list")
    assert result.code == 1
    assert f"{isolated_home / 'config.yaml'}:1:" in result.err
    assert "Traceback" not in result.err


def test_lint_json_format(coach: Coach, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\ntitle: B\nlanguage: en\nindustry: x\nkey_step: visit\n"
        "stages:\n  - id: s\n    kind: small_talk\n    title: S\n",
        encoding="utf-8",
    )
    result = coach("script", "lint", str(bad), "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["failed"] is True and report["checked"] == 1
    rules = {f["rule"] for f in report["findings"]}
    assert {"greeting-first", "close-missing", "teaser-missing"} <= rules
    assert all(f["file"] == str(bad) and f["line"] for f in report["findings"])


def test_lint_directory_of_bundled_templates(coach: Coach) -> None:
    result = coach("script", "lint", "--strict", "script_templates")
    assert result.code == 0, result.err
    assert "0 error(s), 0 warning(s)" in result.err + result.out


@pytest.mark.parametrize("kind", sorted(COMMITTED))
def test_committed_schema_is_current(kind: str) -> None:
    assert COMMITTED[kind].read_text(encoding="utf-8") == schema_text(kind), (
        f"regenerate {COMMITTED[kind]} (coach script schema)"
    )


def test_schema_command(coach: Coach) -> None:
    result = coach("script", "schema")
    assert result.code == 0
    data = json.loads(result.out)
    assert "stages" in data["properties"] and data["additionalProperties"] is False


def test_rubric_commands(coach: Coach) -> None:
    listed = coach("rubric", "list", "--format", "json")
    assert {"discovery", "spin-full"} <= {r["id"] for r in json.loads(listed.out)}
    shown = coach("rubric", "show", "discovery")
    assert shown.code == 0 and "rep_talk_ratio in 0.4–0.55" in shown.out
    assert coach("rubric", "lint", "rubrics").code == 0
    assert "rep_talk_ratio" in coach("rubric", "metrics").out


def test_rubric_lint_reports_every_problem(coach: Coach, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\ntitle: Bad\ncriteria:\n"
        "  - id: a\n    label: A\n    weight: 10\n    metric: rep_talk_rato\n"
        "    target: {min: 0.4}\n"
        "  - id: a\n    label: B\n    weight: high\n    check: stage_covered\n"
        "  - id: c\n    label: C\n    weight: 5\n    check: stage_covered\n",
        encoding="utf-8",
    )
    result = coach("rubric", "lint", str(bad))
    assert result.code == 1
    err = result.err
    assert f"{bad}:4:" in err and "did you mean 'rep_talk_ratio'" in err
    assert f"{bad}:9:" in err and "duplicate criterion id 'a'" in err
    assert f"{bad}:11:" in err and "weight" in err
    assert f"{bad}:13:" in err and "needs `stage:`" in err
    assert "Traceback" not in err
