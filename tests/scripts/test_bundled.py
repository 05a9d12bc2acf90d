"""The bundled templates and rubrics are the product's first impression: all lint clean."""

from __future__ import annotations

from collections import defaultdict

import pytest

from coach.analysis.rubric import list_rubrics, load_rubric
from coach.config import BUNDLED_RUBRICS, BUNDLED_TEMPLATES
from coach.scripts.lint import lint
from coach.scripts.loader import list_scripts, load_script

ENTRIES = list_scripts([BUNDLED_TEMPLATES])
SCRIPTS = [e for e in ENTRIES if not e.abstract]
INDUSTRIES = ["car-dealer", "real-estate", "dental", "b2b-demo", "credit-broker", "after-sale"]


def _cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def test_at_least_ten_scripts_in_both_languages() -> None:
    assert len(SCRIPTS) >= 10
    by_industry: dict[str, set[str]] = defaultdict(set)
    for entry in SCRIPTS:
        by_industry[entry.industry].add(entry.language)
    for industry in INDUSTRIES:
        assert by_industry[industry] >= {"en", "ru"}, industry


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_template_lints_clean_in_strict_mode(entry: object) -> None:
    script = load_script(entry.path, [BUNDLED_TEMPLATES])  # type: ignore[attr-defined]
    problems = [str(f) for f in lint(script) if f.severity.value != "info"]
    assert problems == []


@pytest.mark.parametrize("entry", SCRIPTS, ids=[e.id for e in SCRIPTS])
def test_template_is_built_on_a_base_with_bilingual_objections(entry: object) -> None:
    script = load_script(entry.path, [BUNDLED_TEMPLATES])  # type: ignore[attr-defined]
    assert script.extends, "bundled scripts share a base via extends"
    assert len(script.objections) >= 8
    for objection in script.objections:
        assert any(_cyrillic(t) for t in objection.triggers), objection.id
        assert any(not _cyrillic(t) for t in objection.triggers), objection.id


def test_after_sale_branches_three_ways() -> None:
    for language in ("en", "ru"):
        script = load_script(f"after-sale-{language}", [BUNDLED_TEMPLATES])
        feedback = [s for s in script.stages if s.kind == "feedback"]
        assert feedback, language
        targets = {b.next for b in feedback[0].branches}
        assert len(targets) >= 3, (language, targets)


RUBRICS = list_rubrics([BUNDLED_RUBRICS])


def test_bundled_rubrics_present() -> None:
    assert {"spin-full", "beginner-sp", "discovery", "after-sale"} <= {r.id for r in RUBRICS}


@pytest.mark.parametrize("entry", RUBRICS, ids=[r.id for r in RUBRICS])
def test_rubric_loads(entry: object) -> None:
    rubric = load_rubric(entry.path)  # type: ignore[attr-defined]
    assert rubric.total_weight > 0


def test_discovery_rubric_keeps_the_benchmarks() -> None:
    rubric = load_rubric("discovery", [BUNDLED_RUBRICS])
    by_metric = {c.metric: c.target for c in rubric.criteria if c.metric}
    assert by_metric["rep_talk_ratio"].min == 0.40 and by_metric["rep_talk_ratio"].max == 0.55
    assert by_metric["rep_questions"].min == 11 and by_metric["rep_questions"].max == 14
    assert by_metric["longest_rep_monologue_s"].max == 150


def test_beginner_rubric_asks_only_situation_and_problem() -> None:
    rubric = load_rubric("beginner-sp", [BUNDLED_RUBRICS])
    spin = {c.metric for c in rubric.criteria if c.metric and c.metric.startswith("spin_counts")}
    assert spin == {"spin_counts.situation", "spin_counts.problem"}
