"""Whatever a trainer's editor saves, the loader answers with problems, never a crash."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.errors import CoachError
from coach.scripts.loader import load_script
from coach.yamlsource import locate, parse_yaml

SEED = Path(__file__).resolve().parent.parent / "script_templates" / "dental-en.yaml"
SEED_TEXT = SEED.read_text(encoding="utf-8")
YAMLISH = st.text(
    alphabet=st.sampled_from(list(" \n\t:-[]{}&*!|>'\"#,?%@`abcxyzабв0123456789")), max_size=300
)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_parse_yaml_never_raises(text: str) -> None:
    data, problems = parse_yaml(text, "fuzz.yaml")
    assert data is not None or problems
    for problem in problems:
        assert problem.file == "fuzz.yaml"
        assert problem.line is None or problem.line >= 1


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0, max_value=len(SEED_TEXT)), junk=YAMLISH)
def test_corrupted_template_gives_located_problems(tmp_path: Path, cut: int, junk: str) -> None:
    path = tmp_path / "mutant.yaml"
    path.write_text(SEED_TEXT[:cut] + junk + SEED_TEXT[cut + len(junk) :], encoding="utf-8")
    try:
        load_script(path, [SEED.parent])
    except CoachError as exc:
        assert exc.problems
        assert all(p.message for p in exc.problems)


@given(st.lists(st.one_of(st.text(max_size=5), st.integers(-3, 30)), max_size=6))
def test_locate_tolerates_any_path(path: list[str | int]) -> None:
    data, _ = parse_yaml(SEED_TEXT, "seed.yaml")
    where = locate(data, tuple(path))
    assert where is not None and where.file == "seed.yaml"
