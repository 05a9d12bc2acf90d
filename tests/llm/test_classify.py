"""--classifier llm: the rules find the questions, a language model labels them, hybrid fills gaps."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from coach.analysis.analyse import QuestionLabels, QuestionToLabel, analyse
from coach.analysis.rubric import load_rubric
from coach.analysis.scorecard import build, to_dict
from coach.analysis.transcript import load_transcript
from coach.config import load_settings
from coach.llm.classify import LLMQuestionLabeller, batch_schema, labels_of
from coach.llm.config import LLMSettings
from coach.llm.server import LocalServer, free_port
from coach.scripts.model import QuestionForm, Spin

ROOT = Path(__file__).resolve().parents[2]
CALL = ROOT / "examples" / "calls" / "en-car-dealer-poor.txt"
CALL_RU = ROOT / "examples" / "calls" / "ru-car-dealer-good.txt"
LABELLED = ROOT / "tests" / "data" / "labelled" / "en-telecom-01.json"


class FakeLabeller:
    """Labels every question need_payoff/open, except those whose text contains ``fail``."""

    def __init__(self, fail: str = "\0") -> None:
        self.fail = fail
        self.asked: list[list[QuestionToLabel]] = []

    def __call__(self, questions: Sequence[QuestionToLabel], language: str) -> QuestionLabels:
        self.asked.append(list(questions))
        return QuestionLabels(
            tuple(
                None if self.fail in q.text else (QuestionForm.open, Spin.need_payoff)
                for q in questions
            ),
            "the fake failed" if any(self.fail in q.text for q in questions) else None,
        )


def _all(analysis: Any) -> list[Any]:
    return [q for found in analysis.questions for q in found]


def _warnings(analysis: Any) -> list[str]:
    rubric = load_rubric("discovery", load_settings().rubric_dirs)
    return list(to_dict(build(analysis, rubric))["warnings"])


def test_llm_labels_replace_the_hybrid_ones() -> None:
    transcript = load_transcript(CALL)
    hybrid = analyse(transcript, classifier="hybrid")
    fake = FakeLabeller()
    llm = analyse(transcript, classifier="llm", labeller=fake)
    assert len(_all(llm)) == len(_all(hybrid)) == sum(len(batch) for batch in fake.asked)
    assert all(q.spin is Spin.need_payoff and q.form is QuestionForm.open for q in _all(llm))
    assert all(q.evidence[-1] == "llm" for q in _all(llm))
    assert llm.metrics.spin_counts["need_payoff"] == len(_all(llm))
    assert _warnings(llm) == _warnings(hybrid)
    # the rules still find the questions: the same spans as hybrid
    assert [(q.start, q.end) for q in _all(llm)] == [(q.start, q.end) for q in _all(hybrid)]
    # context is the client's previous line
    assert fake.asked[0][-1].context


def test_questions_the_labeller_fails_keep_hybrid_labels_with_a_warning() -> None:
    transcript = load_transcript(CALL)
    hybrid = analyse(transcript, classifier="hybrid")
    failing = next(q.text for q in _all(hybrid) if q.spin is not Spin.need_payoff)
    llm = analyse(transcript, classifier="llm", labeller=FakeLabeller(fail=failing))
    by_text = {q.text: q for q in _all(llm)}
    kept = next(q for q in _all(hybrid) if q.text == failing)
    assert (by_text[failing].form, by_text[failing].spin) == (kept.form, kept.spin)
    warnings = _warnings(llm)
    assert any(
        w.startswith("classifier llm: 1 of ") and "the fake failed" in w for w in warnings
    ), warnings


def test_llm_without_a_labeller_is_hybrid_with_a_warning() -> None:
    transcript = load_transcript(CALL)
    llm = analyse(transcript, classifier="llm")
    hybrid = analyse(transcript, classifier="hybrid")
    assert [q.spin for q in _all(llm)] == [q.spin for q in _all(hybrid)]
    assert any("no LLM labeller" in w for w in _warnings(llm))


@pytest.mark.parametrize(
    ("answer", "size", "labels"),
    [
        (
            {"labels": [{"n": 2, "form": "open", "spin": None}, {"n": 1, "form": "closed", "spin": "problem"}]},
            2,
            [(QuestionForm.closed, Spin.problem), (QuestionForm.open, None)],
        ),
        ({"labels": [{"n": 1, "form": "open", "spin": "situation"}]}, 2, [(QuestionForm.open, Spin.situation), None]),
        (
            {"labels": [{"n": 1, "form": "open", "spin": None}, {"n": 1, "form": "closed", "spin": None}]},
            1,
            [None],
        ),
        ({"labels": [{"n": 1, "form": "maybe", "spin": None}]}, 1, [None]),
        ({}, 1, [None]),
    ],
)  # fmt: skip
def test_labels_of_an_answer(answer: dict[str, Any], size: int, labels: list[Any]) -> None:
    assert labels_of(answer, size) == labels


def test_batch_schema_numbers_and_counts() -> None:
    schema = batch_schema(3).model_json_schema()
    labels = schema["properties"]["labels"]
    assert labels["minItems"] == labels["maxItems"] == 3


def test_no_server_keeps_hybrid_labels_and_stops_asking() -> None:
    settings = LLMSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", retries=0, timeout_s=5)
    labeller = LLMQuestionLabeller(settings, batch=2)
    transcript = load_transcript(CALL)
    llm = analyse(transcript, classifier="llm", labeller=labeller)
    hybrid = analyse(transcript, classifier="hybrid")
    assert [q.spin for q in _all(llm)] == [q.spin for q in _all(hybrid)]
    assert labeller.requests == 1  # the first failure marks the server down for the run
    warnings = _warnings(llm)
    assert any("kept the hybrid labels" in w and "no LLM answers" in w for w in warnings)


@pytest.mark.slow
@pytest.mark.parametrize("path", [CALL, CALL_RU])
def test_real_server_labels_every_question(path: Path, llm_settings: LLMSettings) -> None:
    labeller = LLMQuestionLabeller(llm_settings)
    transcript = load_transcript(path)
    llm = analyse(transcript, classifier="llm", labeller=labeller)
    questions = _all(llm)
    assert questions
    labelled = [q for q in questions if q.evidence and q.evidence[-1] == "llm"]
    for q in questions:
        assert q.form in (QuestionForm.open, QuestionForm.closed)
        assert q.spin is None or isinstance(q.spin, Spin)
    if len(labelled) < len(questions):  # the rest fell back, and the scorecard says so
        assert any("kept the hybrid labels" in w for w in _warnings(llm))
    # within a run, the same question text is never asked twice
    requests = labeller.requests
    analyse(transcript, classifier="llm", labeller=labeller)
    failed = len(questions) - len(labelled)
    assert labeller.requests - requests <= -(-failed // labeller.batch)


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "labelled"
    folder.mkdir()
    shutil.copy(LABELLED, folder)
    return folder


def test_eval_llm_without_a_server_prints_the_table(
    coach: Callable[..., Any], small_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    llm = coach("eval", str(small_dir), "--classifier", "llm", "--variants", "json")
    hybrid = coach("eval", str(small_dir), "--classifier", "hybrid", "--variants", "json")
    assert llm.code == 0, llm.err
    assert llm.out == hybrid.out  # every label fell back to hybrid


@pytest.mark.slow
def test_eval_llm_with_the_real_server(
    coach: Callable[..., Any],
    small_dir: Path,
    llm_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", llm_server.base_url)
    monkeypatch.delenv("COACH_LLM_MODEL", raising=False)
    run = coach("eval", str(small_dir), "--classifier", "llm", "--variants", "json")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split()[:4] == ["variant", "lang", "calls", "gold"]
    assert any(line.startswith("json    all") for line in lines)
