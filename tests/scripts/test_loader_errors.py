"""Malformed call scripts: every problem is reported, located as file:line:column, no traceback.

Each table row is one bad input and the exact place and message fragment it must produce.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from coach import yamlsource
from coach.config import BUNDLED_TEMPLATES
from coach.errors import Problem, ScriptError
from coach.scripts.loader import load_script

MALFORMED = Path(__file__).resolve().parent.parent / "data" / "malformed"

ANY = object()  # a line or column whose exact value is not part of the contract

HEAD = "id: demo\ntitle: Demo\nlanguage: en\nindustry: b2b\nkey_step: demo\n"  # lines 1-5
GREETING = "stages:\n  - id: greeting\n    kind: greeting\n    title: Greeting\n"  # lines 6-9


class Expected(NamedTuple):
    """One problem the loader must report; ``file`` is relative to the case's folder."""

    line: Any
    column: Any
    fragment: str | tuple[str, ...]
    file: str | None = None


def problems_of(path: Path, dirs: tuple[Path, ...] | list[Path] = ()) -> list[Problem]:
    with pytest.raises(ScriptError) as caught:
        load_script(path, dirs)
    return caught.value.problems


def _shown(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems) or "(no problems)"


def _matches(problem: Problem, want: Expected, default_file: Path) -> bool:
    file = default_file.parent / want.file if want.file else default_file
    fragments = (want.fragment,) if isinstance(want.fragment, str) else want.fragment
    return (
        problem.file is not None
        and Path(problem.file).resolve() == file.resolve()
        and (want.line is ANY or problem.line == want.line)
        and (want.column is ANY or problem.column == want.column)
        and all(f in problem.message for f in fragments)
    )


def assert_problems(
    problems: list[Problem],
    expected: list[Expected],
    path: Path,
    *,
    exact: bool = True,
) -> None:
    """``expected`` appear in this order; with ``exact`` they are all there is."""
    shown = _shown(problems)
    assert problems, "ScriptError carried no problems"
    if exact:
        assert len(problems) == len(expected), shown
    rest = iter(problems)
    for want in expected:
        assert any(_matches(p, want, path) for p in rest), f"{want} not in\n{shown}"
    keys = [(p.file or "", p.line or 0, p.column or 0) for p in problems]
    assert keys == sorted(keys), f"problems are not sorted by file and line:\n{shown}"


# --- malformed files under tests/data/malformed/ --------------------------------------
FILE_CASES = [
    pytest.param(
        "duplicate_key.yaml",
        [Expected(6, 1, "duplicate key 'title' (first defined on line 2)")],
        id="duplicate-top-level-key",
    ),
    pytest.param(
        "duplicate_key_in_stage.yaml",
        [Expected(10, 5, "duplicate key 'kind' (first defined on line 8)")],
        id="duplicate-key-in-stage",
    ),
    pytest.param(
        "tab_indentation.yaml",
        [
            Expected(8, 1, "tab used for indentation; YAML needs spaces"),
            Expected(9, 1, "tab used for indentation; YAML needs spaces"),
        ],
        id="tab-indentation-every-line",
    ),
    pytest.param("empty.yaml", [Expected(None, None, "file is empty")], id="empty-file"),
    pytest.param("comments_only.yaml", [Expected(None, None, "file is empty")], id="comments-only"),
    pytest.param(
        "unclosed_quote.yaml",
        # PyYAML notices at the end of the stream; we point where the quote opens.
        [Expected(10, 11, "invalid YAML: while scanning a quoted scalar")],
        id="unclosed-quote",
    ),
    pytest.param(
        "unclosed_bracket.yaml",
        [Expected(6, 9, ("invalid YAML", "expected ',' or ']'"))],
        id="unclosed-bracket",
    ),
    pytest.param(
        "two_documents.yaml",
        [Expected(10, 1, "expected a single document in the stream")],
        id="two-documents",
    ),
    pytest.param(
        "top_level_list.yaml",
        [Expected(1, None, "a script must be a mapping of keys")],
        id="top-level-is-a-list",
    ),
    pytest.param(
        "key_is_a_list.yaml",
        [Expected(6, 1, "a key must be a plain word, not a list or mapping")],
        id="key-is-a-list",
    ),
    pytest.param(
        "unknown_key_qestions.yaml",
        [
            Expected(
                10, 5, "stages[0] ('greeting'): unknown key 'qestions' (did you mean 'questions'?)"
            )
        ],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        "timebox_not_a_number.yaml",
        [Expected(10, 5, ("stages[0].timebox_s: input should be a valid integer", "'soon'"))],
        id="timebox-soon",
    ),
    pytest.param(
        "cold_maybe.yaml",
        [Expected(6, 1, ("cold: input should be a valid boolean", "'maybe'"))],
        id="cold-maybe",
    ),
    pytest.param(
        "lines_is_a_string.yaml",
        [Expected(10, 5, "stages[0].lines: input should be a valid list, got 'Hi, this is Anna.'")],
        id="lines-is-a-string",
    ),
    pytest.param(
        "stage_is_a_string.yaml",
        [Expected(7, 5, ("stages[0]: input should be a valid dictionary", "'greeting'"))],
        id="stage-is-a-string",
    ),
    pytest.param(
        "unknown_stage_kind.yaml",
        [Expected(8, 5, "stages[0].kind: unknown value 'teasr' (did you mean 'teaser'?)")],
        id="unknown-stage-kind",
    ),
    pytest.param(
        "unknown_question_form.yaml",
        [
            Expected(
                12,
                9,
                "questions[0].form: unknown value 'opne' (did you mean 'open'?); "
                "one of: open, closed",
            )
        ],
        id="unknown-question-form",
    ),
    pytest.param(
        "unknown_spin_type.yaml",
        [Expected(13, 9, "spin: unknown value 'implicaton' (did you mean 'implication'?)")],
        id="unknown-spin-type",
    ),
    pytest.param(
        "stage_without_title.yaml",
        [Expected(7, 5, "stages[0] ('greeting'): missing required key 'title'")],
        id="stage-without-title",
    ),
    pytest.param(
        "no_stages.yaml",
        [Expected(6, 1, "stages: needs at least 1 item, got none")],
        id="empty-stage-list",
    ),
    pytest.param(
        "dangling_branch_target.yaml",
        [
            Expected(
                12,
                9,
                "stage 'greeting': branch 'busy' goes to unknown stage 'clsoe' "
                "(did you mean 'close'?)",
            )
        ],
        id="dangling-branch-target",
    ),
    pytest.param(
        "dangling_stage_next.yaml",
        [Expected(10, 5, "stage 'greeting': next 'nowhere' is not a stage id or 'end'")],
        id="dangling-stage-next",
    ),
    pytest.param(
        "duplicate_stage_id.yaml",
        [Expected(13, 5, "duplicate stage id 'greeting'")],
        id="duplicate-stage-id-second-one",
    ),
    pytest.param(
        "objection_without_responses.yaml",
        [Expected(11, 5, "objections[0] ('price'): missing required key 'responses'")],
        id="objection-without-responses",
    ),
    pytest.param(
        "objection_empty_responses.yaml",
        [Expected(14, 5, "objections[0].responses ('price'): needs at least 1 item")],
        id="objection-empty-responses",
    ),
    pytest.param(
        "objection_without_triggers.yaml",
        [Expected(11, 5, "objections[0] ('price'): missing required key 'triggers'")],
        id="objection-without-triggers",
    ),
    pytest.param(
        "reminder_on_greeting.yaml",
        [
            Expected(
                7,
                5,
                "stages[0] ('greeting'): reminder_channels and confirmation belong to a stage "
                "of kind 'close'",
            )
        ],
        id="reminder-channels-on-non-close",
    ),
    pytest.param(
        "script_id_uppercase.yaml",
        [Expected(1, 1, ("id: string should match pattern", "'Car-Dealer'"))],
        id="script-id-uppercase",
    ),
    pytest.param(
        "stage_id_with_space.yaml",
        [Expected(7, 5, ("stages[0].id: string should match pattern", "'small talk'"))],
        id="stage-id-with-space",
    ),
    pytest.param(
        "several_problems.yaml",
        [
            Expected(3, 1, ("language: string should match pattern", "'english'")),
            Expected(6, 1, "cold: input should be a valid boolean"),
            Expected(11, 5, "stages[0].timebox_s: input should be a valid integer"),
            Expected(13, 5, "duplicate key 'tips' (first defined on line 12)"),
            Expected(14, 5, ("stages[1].id: string should match pattern", "'Pitch'")),
            Expected(15, 5, "unknown value 'teasr' (did you mean 'teaser'?)"),
            Expected(17, 5, "next 'clsoe' is not a stage id or 'end' (did you mean 'close'?)"),
            Expected(20, 5, "unknown key 'titel' (did you mean 'title'?)"),  # not also "missing"
            Expected(22, 5, "objections[0] ('price'): missing required key 'responses'"),
        ],
        id="several-problems-all-reported-in-line-order",
    ),
]


@pytest.mark.parametrize(("name", "expected"), FILE_CASES)
def test_malformed_file_reports_every_problem_located(name: str, expected: list[Expected]) -> None:
    path = MALFORMED / name
    assert_problems(problems_of(path), expected, path)


def test_recursive_alias_is_reported_not_followed() -> None:
    path = MALFORMED / "recursive_alias.yaml"
    # Located at the anchor (`tips: &tips`, 10:11); the follow-on "got None" may come too.
    expected = [Expected(10, 11, "an alias refers to itself (recursive YAML is not allowed)")]
    assert_problems(problems_of(path), expected, path, exact=False)


def test_alias_bomb_fails_fast_without_eating_memory() -> None:
    path = MALFORMED / "alias_bomb.yaml"  # 10**9 values once expanded
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = problems_of(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - started < 5
    assert peak < 100_000_000
    expected = [Expected(ANY, ANY, ("more than 100,000 values", "alias bomb"))]
    assert_problems(problems, expected, path)
    assert isinstance(problems[0].line, int)


def test_node_limit_is_what_stops_alias_expansion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlsource, "MAX_NODES", 50)
    path = tmp_path / "small_bomb.yaml"
    path.write_text(
        HEAD + "tips: &a [x, x, x, x, x, x, x, x]\nmore: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n",
        encoding="utf-8",
    )
    assert_problems(problems_of(path), [Expected(ANY, ANY, "expands to more than 50 values")], path)


# --- byte-level inputs (written to tmp_path) ---------------------------------------------
BYTE_CASES = [
    pytest.param(
        b"id: demo\ntitle: Demo\nindustry: b\xf8rn\n",
        [Expected(3, 12, "not UTF-8 text (byte 0xf8); save the file as UTF-8")],
        id="latin1-byte-exact-line-and-column",
    ),
    pytest.param(
        b"id: demo\ntitle: " + "Привет".encode("cp1251") + b"\n",
        [Expected(2, 8, "not UTF-8 text (byte 0xcf)")],
        id="cp1251-russian",
    ),
    pytest.param(
        "id: demo\n".encode("utf-16"),
        [Expected(1, 1, "UTF-16 text; save the file as UTF-8")],
        id="utf16-is-named",
    ),
    pytest.param(
        b"id: demo\ntitle: Demo\nlanguage: en\nindustry: b2b\x00\x00\n",
        [Expected(4, None, "binary data (NUL byte), not a text file")],
        id="nul-byte-exact-line",
    ),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        [Expected(3, None, "binary data (NUL byte)")],
        id="png-junk",
    ),
    pytest.param(
        HEAD.replace("\n", "\r\n").encode() + b"title: Again\r\n" + GREETING.encode(),
        [Expected(6, 1, "duplicate key 'title' (first defined on line 2)")],
        id="crlf-line-numbers",
    ),
    pytest.param(
        "\ufeff[a, b]: c\n".encode() + HEAD.encode() + GREETING.encode(),
        [Expected(1, 1, "a key must be a plain word")],
        id="utf8-bom-does-not-shift-columns",
    ),
]


@pytest.mark.parametrize(("content", "expected"), BYTE_CASES)
def test_malformed_bytes_report_exact_place(
    tmp_path: Path, content: bytes, expected: list[Expected]
) -> None:
    path = tmp_path / "script.yaml"
    path.write_bytes(content)
    assert_problems(problems_of(path), expected, path)


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    # `read_text(max_bytes=MAX_FILE_BYTES)` binds the limit at import, so monkeypatching
    # the module constant has no effect: write a real file one byte too big instead.
    limit = yamlsource.MAX_FILE_BYTES
    path = tmp_path / "huge.yaml"
    body = (HEAD + GREETING).encode()
    path.write_bytes(body + b"#" * (limit - len(body)) + b"\n")
    message = f"file is too large ({limit + 1:,} bytes; the limit is {limit:,})"
    assert_problems(problems_of(path), [Expected(None, None, message)], path)


# --- extends / include / omit (base files written to tmp_path) ---------------------------
BASE = (
    HEAD.replace("id: demo", "id: base")
    + "abstract: true\n"
    + GREETING
    + "  - id: close\n    kind: close\n    title: Close\n"
)
CHILD = HEAD.replace("id: demo", "id: child")  # extends: goes on line 6


def _child(extra: str, stages: bool = True) -> str:
    return CHILD + extra + (GREETING if stages else "")


LIBRARY = (
    "id: common\nobjections:\n  - id: price\n    category: price\n    triggers: [too expensive]\n"
)

INHERITANCE_CASES = [
    pytest.param(
        {"base.yaml": BASE, "child.yaml": _child("extends: bsae\n")},
        [Expected(6, 1, ("no script 'bsae' in ", "(did you mean 'base'?)"))],
        id="extends-missing-base-did-you-mean",
    ),
    pytest.param(
        {"child.yaml": _child("extends: ./nosuch.yaml\n")},
        [Expected(6, 1, ("extends: no file ", "nosuch.yaml"))],
        id="extends-missing-file",
    ),
    pytest.param(
        {
            "child.yaml": _child("extends: other\n"),
            "other.yaml": _child("extends: child\n").replace("id: child", "id: other"),
        },
        [Expected(6, 1, "extends: 'child' leads back to this script", file="other.yaml")],
        id="extends-cycle-of-two",
    ),
    pytest.param(
        {"child.yaml": _child("extends: child\n")},
        [Expected(6, 1, "extends: 'child' leads back to this script")],
        id="extends-itself",
    ),
    pytest.param(
        {
            "base.yaml": BASE.replace(
                "title: Greeting\n", "title: Greeting\n    timebox_s: soon\n"
            ),
            "child.yaml": _child("extends: base\n", stages=False),
        },
        [Expected(11, 5, "stages[0].timebox_s: input should be a valid integer", file="base.yaml")],
        id="error-in-base-located-in-base",
    ),
    pytest.param(
        {
            "base.yaml": BASE.replace("    kind: greeting\n", "\tkind: greeting\n"),
            "child.yaml": _child("extends: base\n"),
        },
        [
            Expected(9, 1, "tab used for indentation", file="base.yaml"),
            Expected(6, 1, "extends: base 'base' has errors (see above)"),
        ],
        id="unreadable-base",
    ),
    pytest.param(
        {"child.yaml": _child("include: [nolib]\n")},
        [Expected(6, 11, "include: no objection library 'nolib'")],
        id="include-missing-library",
    ),
    pytest.param(
        {"libraries/common.yaml": LIBRARY, "child.yaml": _child("include: [common, nolib]\n")},
        [  # sorted by file path: child.yaml before libraries/common.yaml
            Expected(6, 19, "include: no objection library 'nolib'"),
            Expected(3, 5, "missing required key 'responses'", file="libraries/common.yaml"),
        ],
        id="include-broken-and-missing-library",
    ),
    pytest.param(
        {"base.yaml": BASE, "child.yaml": _child("extends: base\nomit: [small_talk]\n", False)},
        [Expected(7, 8, "omit: no inherited stage or objection 'small_talk'")],
        id="omit-id-base-lacks",
    ),
    pytest.param(
        {
            "base.yaml": BASE,
            "child.yaml": _child(
                "extends: base\nstages:\n"
                "  - id: pitch\n    kind: teaser\n    title: Pitch\n    after: greetng\n",
                stages=False,
            ),
        },
        [Expected(11, 5, "after: no stage 'greetng' in the base (did you mean 'greeting'?)")],
        id="after-unknown-stage",
    ),
]


@pytest.mark.parametrize(("files", "expected"), INHERITANCE_CASES)
def test_inheritance_problems_are_located(
    tmp_path: Path, files: dict[str, str], expected: list[Expected]
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "child.yaml"
    problems = problems_of(path, [tmp_path, BUNDLED_TEMPLATES])
    # Problems from several files are sorted by file name, then line.
    assert_problems(problems, expected, path)


# --- YAML 1.2 scalars: Norway and "yes" stay strings ------------------------------------
@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "да", "нет"])
def test_yaml11_booleans_stay_strings(tmp_path: Path, word: str) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(
        HEAD + GREETING + f"    branches:\n      - answer: {word}\n        next: end\n",
        encoding="utf-8",
    )
    assert load_script(path).stages[0].branches[0].answer == word


def test_norwegian_language_code_loads_as_no(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(HEAD.replace("language: en", "language: no") + GREETING, encoding="utf-8")
    assert load_script(path).language == "no"


@pytest.mark.parametrize(("word", "value"), [("true", True), ("False", False), ("TRUE", True)])
def test_yaml12_booleans_still_work(tmp_path: Path, word: str, value: bool) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(HEAD + f"cold: {word}\n" + GREETING, encoding="utf-8")
    assert load_script(path).cold is value


# --- the real CLI: exit 1, one located line per problem, no traceback --------------------
def _bytes_file(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"id: demo\ntitle: Demo\nindustry: b\xf8rn\n")
    return path


def _missing_base(tmp_path: Path) -> Path:
    path = tmp_path / "child.yaml"
    path.write_text(_child("extends: ./nosuch.yaml\n"), encoding="utf-8")
    return path


CLI_CASES = [
    pytest.param(
        MALFORMED / "several_problems.yaml",
        [(3, 1), (6, 1), (11, 5), (13, 5), (14, 5), (15, 5), (17, 5), (20, 5), (22, 5)],
        id="several-problems",
    ),
    pytest.param(MALFORMED / "duplicate_key.yaml", [(6, 1)], id="duplicate-key"),
    pytest.param(MALFORMED / "tab_indentation.yaml", [(8, 1), (9, 1)], id="tabs"),
    pytest.param(MALFORMED / "top_level_list.yaml", [(1, None)], id="top-level-list"),
    pytest.param(_bytes_file, [(3, 12)], id="not-utf8"),
    pytest.param(_missing_base, [(6, 1)], id="extends-missing-file"),
]


@pytest.mark.parametrize("command", ["lint", "show"])
@pytest.mark.parametrize(("source", "places"), CLI_CASES)
def test_cli_prints_one_located_line_per_problem_and_exits_1(
    coach: Any, tmp_path: Path, command: str, source: Any, places: list[tuple[int, int | None]]
) -> None:
    path = source if isinstance(source, Path) else source(tmp_path)
    run = coach("script", command, str(path))
    assert run.code == 1, run.err
    assert "Traceback" not in run.out + run.err
    assert run.out == ""
    lines = run.err.splitlines()
    if command == "lint":
        summary = lines.pop()
        assert summary == f"1 script(s) checked: {len(places)} error(s), 0 warning(s)"
    assert len(lines) == len(places), run.err
    for line, (number, column) in zip(lines, places, strict=True):
        where = f"{path}:{number}" + ("" if column is None else f":{column}")
        assert line.startswith(f"{where}: "), run.err
        if command == "lint":
            assert line.startswith(f"{where}: error [load] "), run.err


# --- known loader bugs (see the report); strict so a fix turns them red ------------------


@pytest.mark.parametrize("text", ["---\n", "~\n", "null\n", "--- # nothing yet\n...\n"])
def test_null_document_is_reported(tmp_path: Path, text: str) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert problems, "no problem reported"
    assert problems[0].file == str(path)


def test_cli_lint_fails_on_null_document(coach: Any, tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text("---\n", encoding="utf-8")
    run = coach("script", "lint", str(path))
    assert run.code == 1
    assert run.err.startswith(f"{path}")


def test_merge_key_override_is_not_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(
        HEAD
        + "stages:\n  - &greeting\n    id: greeting\n    kind: greeting\n    title: Greeting\n"
        + "  - <<: *greeting\n    id: close\n    kind: close\n",
        encoding="utf-8",
    )
    assert [s.id for s in load_script(path).stages] == ["greeting", "close"]


def test_tab_inside_block_scalar_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(
        HEAD + "description: |\n  Columns:\n  \tname\tphone\n" + GREETING, encoding="utf-8"
    )
    # Text values are stripped of surrounding white space; inner tabs stay.
    assert load_script(path).description == "Columns:\n\tname\tphone"


def test_non_utf8_column_counts_characters(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_bytes(b"id: demo\ntitle: " + "Привет".encode() + b" \xff\n")
    assert_problems(problems_of(path), [Expected(2, 15, "not UTF-8 text (byte 0xff)")], path)
