"""Rendering: sandboxed jinja2, every missing variable named, cheat sheets as golden files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from coach.config import BUNDLED_TEMPLATES
from coach.errors import ScriptError
from coach.scripts import cheatsheet, render
from coach.scripts.loader import load_script

DIRS = [BUNDLED_TEMPLATES]


def small(tmp_path: Path, lines: list[str], variables: list[dict[str, str]]) -> Path:
    data = {
        "id": "small",
        "title": "Small",
        "language": "en",
        "industry": "t",
        "key_step": "visit",
        "variables": variables,
        "stages": [{"id": "greeting", "kind": "greeting", "title": "G", "lines": lines}],
    }
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_missing_variables_are_all_named(tmp_path: Path) -> None:
    script = load_script(
        small(
            tmp_path,
            ["Hi {{ client_name }} from {{ company }}, {{ rep_name }}"],
            [{"name": "client_name"}, {"name": "company"}, {"name": "rep_name", "default": "Sam"}],
        ),
        [tmp_path],
    )
    with pytest.raises(ScriptError) as caught:
        render.variable_values(script, {})
    message = str(caught.value)
    assert "client_name" in message and "company" in message
    assert "rep_name" not in message.split("missing value for")[1].split(";")[0]


@pytest.mark.parametrize(
    ("given", "use_examples", "expected"),
    [
        ({"client_name": "Anna"}, False, "Hi Anna, I'm Sam."),
        ({}, True, "Hi Daniel, I'm Sam."),
        ({"client_name": "Анна", "rep_name": "Ольга"}, False, "Hi Анна, I'm Ольга."),
    ],
)
def test_values_come_from_given_then_example_then_default(
    tmp_path: Path, given: dict[str, str], use_examples: bool, expected: str
) -> None:
    script = load_script(
        small(
            tmp_path,
            ["Hi {{ client_name }}, I'm {{ rep_name }}."],
            [{"name": "client_name", "example": "Daniel"}, {"name": "rep_name", "default": "Sam"}],
        ),
        [tmp_path],
    )
    values = render.variable_values(script, given, use_examples=use_examples)
    filled = render.filled_script(script, values)
    assert filled.stages[0].lines == [expected]


def test_unknown_variable_is_an_error(tmp_path: Path) -> None:
    script = load_script(
        small(tmp_path, ["Hi {{ client_name }}"], [{"name": "client_name"}]), [tmp_path]
    )
    with pytest.raises(ScriptError, match=r"unknown variable.*clinet_name"):
        render.variable_values(script, {"clinet_name": "x", "client_name": "y"})


@pytest.mark.parametrize(
    "line",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ client_name.__class__.__init__.__globals__ }}",
    ],
)
def test_sandbox_refuses_python_internals(tmp_path: Path, line: str) -> None:
    script = load_script(
        small(tmp_path, [line], [{"name": "client_name", "example": "x"}]), [tmp_path]
    )
    values = render.variable_values(script, {}, use_examples=True)
    with pytest.raises(ScriptError):
        render.filled_script(script, values)


@pytest.mark.parametrize(
    ("script_id", "fmt", "variables"),
    [
        ("car-dealer-en", "md", {"client_name": "Daniel"}),
        ("car-dealer-ru", "md", {"client_name": "Дмитрий"}),
        ("after-sale-en", "text", {}),
        ("b2b-demo-ru", "text", {}),
    ],
)
def test_cheat_sheet_golden(
    golden: Callable[[str, str], None], script_id: str, fmt: str, variables: dict[str, str]
) -> None:
    script = load_script(script_id, DIRS)
    values = render.variable_values(script, variables, use_examples=True)
    text = cheatsheet.cheat_sheet(render.filled_script(script, values), fmt)
    assert "{{" not in text
    golden(f"render/{script_id}.{fmt}", text)


def test_cheat_sheet_lists_every_stage_and_objection() -> None:
    script = load_script("dental-en", DIRS)
    values = render.variable_values(script, {}, use_examples=True)
    text = cheatsheet.cheat_sheet(render.filled_script(script, values), "md")
    for stage in script.stages:
        assert f"{stage.title} ({stage.kind.value}" in text
    for objection in script.objections:
        assert f"### {objection.id} ({objection.category})" in text
