"""Rubric scoring: points, human sentences and evidence a lead can check."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from coach.analysis.analyse import analyse
from coach.analysis.rubric import load_rubric
from coach.analysis.scorecard import build, to_dict, to_markdown
from coach.analysis.transcript import load_transcript, parse_text
from coach.config import BUNDLED_RUBRICS, BUNDLED_TEMPLATES
from coach.scripts.loader import load_script
from tests.conftest import Run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "calls"
Coach = Callable[..., Run]


def rubric_file(tmp_path: Path, criteria: list[dict[str, object]]) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(
        yaml.safe_dump({"id": "r", "title": "R", "criteria": criteria}), encoding="utf-8"
    )
    return path


CALL = """\
[00:00 - 00:06] Rep: Hi, this is Anna from Acme Motors. Is now a good time?
[00:06 - 00:08] Client: Yes, go ahead.
[00:08 - 00:14] Rep: What are you driving at the moment?
[00:14 - 00:40] Client: An old Civic, it keeps breaking down and the repairs cost a fortune.
[00:40 - 00:46] Rep: What bothers you most about it?
[00:46 - 01:10] Client: The breakdowns. I was late for work twice last month.
"""


@pytest.mark.parametrize(
    ("target", "tolerance", "score", "passed"),
    [
        ({"min": 0.2, "max": 0.5}, None, 10.0, True),  # rep talk is 18/(18+52) ≈ 0.257
        ({"min": 0.4, "max": 0.55}, None, 0.0, False),
        ({"min": 0.4, "max": 0.55}, 0.286, 5.0, False),  # 0.143 short of 0.4: half the points
        ({"max": 0.1}, 0.5, 6.86, False),
    ],
)
def test_metric_band_and_tolerance(
    tmp_path: Path, target: dict[str, float], tolerance: float | None, score: float, passed: bool
) -> None:
    criterion: dict[str, object] = {
        "id": "talk",
        "label": "Talk",
        "weight": 10,
        "metric": "rep_talk_ratio",
        "target": target,
    }
    if tolerance is not None:
        criterion["tolerance"] = tolerance
    rubric = load_rubric(
        rubric_file(
            tmp_path,
            [
                criterion,
                {
                    "id": "g",
                    "label": "G",
                    "weight": 90,
                    "check": "stage_covered",
                    "stage": "greeting",
                },
            ],
        )
    )
    card = build(analyse(parse_text(CALL, "c.txt")), rubric)
    result = card.criteria[0]
    assert result.max == 10
    assert result.score == pytest.approx(score, abs=0.05)
    assert result.passed is passed
    assert "rep talked 26 %" in result.detail


def test_spin_criterion_quotes_the_questions(tmp_path: Path) -> None:
    rubric = load_rubric(
        rubric_file(
            tmp_path,
            [
                {
                    "id": "p",
                    "label": "Problem questions",
                    "weight": 1,
                    "metric": "spin_counts.problem",
                    "target": {"min": 1},
                }
            ],
        )
    )
    card = build(analyse(parse_text(CALL, "c.txt")), rubric)
    [result] = card.criteria
    assert result.passed and result.score == 100
    assert result.detail.startswith("1 problem questions")
    assert [e.utterance for e in result.evidence] == [4]
    assert result.evidence[0].text == "What bothers you most about it?"
    assert result.evidence[0].start == pytest.approx(40.0)


def test_unmeasurable_criterion_is_left_out_of_the_total(tmp_path: Path) -> None:
    rubric = load_rubric(
        rubric_file(
            tmp_path,
            [
                {
                    "id": "t",
                    "label": "T",
                    "weight": 50,
                    "metric": "longest_rep_monologue_s",
                    "target": {"max": 100},
                },
                {
                    "id": "g",
                    "label": "G",
                    "weight": 50,
                    "check": "stage_covered",
                    "stage": "greeting",
                },
            ],
        )
    )
    untimed = parse_text("\n".join(line.split("] ", 1)[1] for line in CALL.splitlines()), "u.txt")
    card = build(analyse(untimed), rubric)
    monologue, greeting = card.criteria
    assert monologue.score is None and "no timestamps" in monologue.detail
    assert greeting.passed and card.total == 100


def test_required_questions_need_the_script() -> None:
    rubric = load_rubric("spin-full", [BUNDLED_RUBRICS])
    card = build(analyse(parse_text(CALL, "c.txt")), rubric)
    required = next(c for c in card.criteria if c.id == "required_questions")
    assert required.score is None and "--script" in required.detail


@pytest.mark.parametrize("language", ["en", "ru"])
def test_good_call_beats_poor_call(language: str) -> None:
    script = load_script(f"car-dealer-{language}", [BUNDLED_TEMPLATES])
    rubric = load_rubric("discovery", [BUNDLED_RUBRICS])
    good = build(
        analyse(load_transcript(EXAMPLES / f"{language}-car-dealer-good.txt"), script), rubric
    )
    poor = build(
        analyse(load_transcript(EXAMPLES / f"{language}-car-dealer-poor.txt"), script), rubric
    )
    assert good.passed and not poor.passed
    assert good.total - poor.total > 25
    close = next(c for c in poor.criteria if c.id == "next_step")
    assert close.passed is False


def test_scorecard_json_keeps_the_contract() -> None:
    card = build(
        analyse(load_transcript(EXAMPLES / "en-car-dealer-good.txt")),
        load_rubric("discovery", [BUNDLED_RUBRICS]),
    )
    data = json.loads(json.dumps(to_dict(card)))
    assert data["schema_version"] == 1 and data["max_total"] == 100
    for key in (
        "source",
        "language",
        "duration_s",
        "script",
        "rubric",
        "total",
        "criteria",
        "stages",
        "metrics",
        "utterances",
    ):
        assert key in data
    utterance = next(u for u in data["utterances"] if u["questions"])
    assert set(utterance) >= {"index", "speaker", "start", "end", "text", "stages", "questions"}
    assert set(utterance["questions"][0]) == {"text", "form", "spin", "found_by"}
    assert all(
        s["kind"]
        in {
            "compliance",
            "greeting",
            "small_talk",
            "qualification",
            "situation",
            "problem",
            "implication",
            "need_payoff",
            "teaser",
            "objection",
            "close",
            "feedback",
            "referral",
        }
        for s in data["stages"]
    )
    assert "rep talked" in to_markdown(card)


def test_score_command_side_by_side_and_fail_under(coach: Coach, tmp_path: Path) -> None:
    result = coach("score", str(EXAMPLES))
    assert result.code == 0, result.err
    assert "side by side" in result.out and "en-car-dealer-good" in result.out
    below = coach("score", str(EXAMPLES / "en-car-dealer-poor.txt"), "--fail-under", "60")
    assert below.code == 3
    written = coach(
        "score", str(EXAMPLES / "ru-car-dealer-good.txt"), "--format", "md", "--out", str(tmp_path)
    )
    assert written.code == 0
    assert (
        (tmp_path / "ru-car-dealer-good.scorecard.md")
        .read_text(encoding="utf-8")
        .startswith("# Scorecard")
    )


def test_eval_command_reports_all_variants(coach: Coach) -> None:
    labelled = ROOT / "tests" / "data" / "labelled"
    result = coach(
        "eval",
        str(labelled / "en-solar-01.json"),
        str(labelled / "ru-solar-01.json"),
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    report = json.loads(result.stdout if hasattr(result, "stdout") else result.out)
    rows = {(r["variant"], r["language"]): r for r in report["results"]}
    assert set(rows) == {(v, lang) for v in ("json", "text", "asr") for lang in ("en", "ru", "all")}
    assert rows[("json", "all")]["talk_ratio_mae"] == pytest.approx(0.0, abs=1e-6)
    assert rows[("json", "all")]["question_f1"] > 0.8


@pytest.mark.parametrize(
    ("text", "found_by"),
    [
        ("Rep: What are you driving at the moment?\nClient: A Civic.\n", "question mark"),
        (
            "Rep: so you've had the van about three years now\nClient: yeah three years\n"
            "Rep: okay\n",
            "the client's reply answers it",
        ),
        (
            "# language: ru\nRep: алло сергей петрович здравствуйте\nClient: да это я\n",
            "greeting, then the client's name",
        ),
        (
            "# language: ru\nRep: Покупку рассматриваете в кредит или за наличные?\n"
            "Client: В кредит.\n",
            "question mark",
        ),
    ],
)
def test_each_question_says_what_made_it_one(text: str, found_by: str) -> None:
    """A lead checking the scorecard sees why a line counted as a question."""
    card = build(analyse(parse_text(text, "c.txt")), load_rubric("discovery", [BUNDLED_RUBRICS]))
    questions = to_dict(card)["utterances"][0]["questions"]
    assert [q["found_by"] for q in questions] == [found_by]


@pytest.mark.parametrize(
    ("language", "statement", "question"),
    [
        ("en", "We have six lenders.", "What are you driving now?"),
        ("ru", "У нас шесть банков-партнёров.", "На чём вы сейчас ездите?"),
    ],
)
def test_eval_errors_list_missed_and_extra_questions(
    coach: Coach, tmp_path: Path, language: str, statement: str, question: str
) -> None:
    """A gold question the rules cannot see is "missed"; a question not in the gold is
    "extra"; both name the file and the utterance."""
    call = {
        "schema_version": 1,
        "language": language,
        "utterances": [
            {
                "speaker": "rep",
                "start": 0.0,
                "end": 2.0,
                "text": statement,
                "stages": [],
                "questions": [{"text": statement, "form": "closed", "spin": None}],
            },
            {
                "speaker": "client",
                "start": 2.2,
                "end": 3.0,
                "text": "Ok.",
                "stages": [],
                "questions": [],
            },
            {
                "speaker": "rep",
                "start": 3.2,
                "end": 5.0,
                "text": question,
                "stages": [],
                "questions": [],
            },
            {
                "speaker": "client",
                "start": 5.2,
                "end": 6.0,
                "text": "Ok.",
                "stages": [],
                "questions": [],
            },
        ],
        "gold_stages_covered": [],
    }
    path = tmp_path / f"{language}-x-01.json"
    path.write_text(json.dumps(call, ensure_ascii=False), encoding="utf-8")
    result = coach("eval", str(path), "--variants", "json", "--errors")
    assert result.code == 0, result.err
    out = result.stdout if hasattr(result, "stdout") else result.out
    assert f"missed {path.name} #0: {statement}" in out
    assert f"extra  {path.name} #2: {question}" in out
    assert "Questions missed (1) and found wrongly (1), json variant:" in out
