"""`extends:`, `include:` and `omit:`: inheritance keeps order, overrides key by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import ScriptError
from coach.scripts.loader import load_script

BASE = """\
id: base
title: Base
language: en
industry: generic
key_step: visit
abstract: true
include: [lib]
variables:
  - {name: client_name, example: Ann}
stages:
  - {id: greeting, kind: greeting, title: Greeting, lines: ["Hi {{ client_name }}."], timebox_s: 20}
  - {id: small_talk, kind: small_talk, title: Small talk}
  - {id: teaser, kind: teaser, title: Teaser, lines: ["A.", "Come in?"]}
  - {id: close, kind: close, title: Close}
objections:
  - {id: price, category: price, triggers: [expensive, дорого], responses: [Base answer.]}
"""

LIB = """\
id: lib
objections:
  - {id: no_time, category: no_time, triggers: [busy, некогда], responses: [Lib answer.]}
  - {id: price, category: price, triggers: [pricey, дорого], responses: [Lib price.]}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "libraries").mkdir()
    (tmp_path / "libraries" / "lib.yaml").write_text(LIB, encoding="utf-8")
    return tmp_path


def child(folder: Path, body: str) -> Path:
    path = folder / "child.yaml"
    path.write_text("id: child\ntitle: Child\nextends: base\n" + body, encoding="utf-8")
    return path


def test_override_is_key_by_key_and_keeps_order(folder: Path) -> None:
    script = load_script(child(folder, "stages:\n  - {id: greeting, title: Hello}\n"), [folder])
    greeting = script.stage("greeting")
    assert greeting.title == "Hello"
    assert greeting.lines == ["Hi {{ client_name }}."]  # inherited
    assert greeting.timebox_s == 20
    assert [s.id for s in script.stages] == ["greeting", "small_talk", "teaser", "close"]
    assert script.language == "en" and script.abstract is False


def test_new_stage_goes_after_the_one_listed_before_it(folder: Path) -> None:
    body = (
        "stages:\n  - {id: small_talk}\n"
        "  - {id: credit, kind: qualification, title: Credit}\n"
        "  - {id: extra, kind: problem, title: Extra, after: teaser}\n"
    )
    script = load_script(child(folder, body), [folder])
    assert [s.id for s in script.stages] == [
        "greeting",
        "small_talk",
        "credit",
        "teaser",
        "extra",
        "close",
    ]


def test_omit_removes_inherited_items(folder: Path) -> None:
    script = load_script(child(folder, "omit: [small_talk, no_time]\n"), [folder])
    assert "small_talk" not in [s.id for s in script.stages]
    assert "no_time" not in [o.id for o in script.objections]


def test_objections_library_then_base_then_child(folder: Path) -> None:
    body = "objections:\n  - {id: no_time, responses: [Child answer.]}\n"
    script = load_script(child(folder, body), [folder])
    by_id = {o.id: o for o in script.objections}
    assert by_id["price"].responses == ["Base answer."]  # base overrides library
    assert by_id["no_time"].responses == ["Child answer."]  # child overrides library
    assert by_id["no_time"].triggers == ["busy", "некогда"]  # rest inherited


def test_override_errors_point_into_the_child(folder: Path) -> None:
    path = child(folder, "stages:\n  - {id: greeting, kind: pitch}\n")
    with pytest.raises(ScriptError) as caught:
        load_script(path, [folder])
    [problem] = caught.value.problems
    assert problem.file == str(path) and problem.line == 5


def test_errors_in_the_base_point_into_the_base(folder: Path) -> None:
    (folder / "base.yaml").write_text(
        BASE.replace("title: Small talk", "titel: Small talk"), encoding="utf-8"
    )
    with pytest.raises(ScriptError) as caught:
        load_script(child(folder, ""), [folder])
    assert any(
        p.file == str(folder / "base.yaml") and p.line == 12 for p in caught.value.problems
    ), caught.value.problems
