"""Coaching summaries: the deterministic core, the grounding checks, the real model, the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from coach.analysis.analyse import analyse
from coach.analysis.rubric import load_rubric
from coach.analysis.scorecard import build, to_dict
from coach.analysis.transcript import load_transcript
from coach.config import load_settings
from coach.llm.config import LLMSettings
from coach.llm.server import LocalServer, free_port
from coach.llm.summary import (
    POINTS,
    allowed_numbers,
    answer_problems,
    clock,
    coaching_summary,
    deterministic_summary,
    invented_numbers,
    quote_in,
    summary_from_answer,
    to_markdown,
    to_text,
)
from coach.scripts.loader import load_script

ROOT = Path(__file__).resolve().parents[2]
CALLS = ROOT / "examples" / "calls"
EXAMPLES = sorted(p.name for p in CALLS.glob("*.txt"))


@cache
def card_of(name: str) -> dict[str, Any]:
    settings = load_settings()
    transcript = load_transcript(CALLS / name)
    script_id = transcript.meta.get("script")
    script = load_script(script_id, settings.template_dirs) if script_id else None
    scored = build(
        analyse(transcript, script, classifier="rules"),
        load_rubric("discovery", settings.rubric_dirs),
    )
    return json.loads(json.dumps(to_dict(scored)))


def assert_grounded(summary: Any, card: dict[str, Any]) -> None:
    """Three and three, every quote words of its utterance, times from the scorecard."""
    utterances = {u["index"]: u for u in card["utterances"]}
    assert len(summary.strengths) == POINTS and len(summary.changes) == POINTS
    assert summary.plan
    for point in (*summary.strengths, *summary.changes):
        assert point.utterance in utterances
        assert quote_in(point.quote, utterances[point.utterance]["text"]), point
        assert point.start == utterances[point.utterance]["start"]
        own = allowed_numbers(card, [utterances[point.utterance]["text"]])
        assert not invented_numbers(point.text, own), point.text
    for line in summary.plan:
        assert not invented_numbers(line, allowed_numbers(card)), line


@pytest.mark.parametrize(
    ("name", "heading", "strengths", "changes"),
    [
        ("en-car-dealer-good.txt", "## Coaching summary", "What went well", "What to change"),
        ("en-car-dealer-poor.txt", "## Coaching summary", "What went well", "What to change"),
        ("ru-car-dealer-good.txt", "## Итоги звонка", "Что получилось", "Что изменить"),
        ("ru-car-dealer-poor.txt", "## Итоги звонка", "Что получилось", "Что изменить"),
    ],
)
def test_deterministic_summary_is_three_and_three_and_grounded(
    name: str, heading: str, strengths: str, changes: str
) -> None:
    card = card_of(name)
    summary = coaching_summary(card, use_llm=False)
    assert not summary.by_model
    assert_grounded(summary, card)
    markdown = to_markdown(summary)
    assert markdown.startswith(heading)
    assert f"### {strengths}" in markdown and f"### {changes}" in markdown
    for point in summary.strengths:
        assert f"{clock(point.start)}] «{point.quote}»" in markdown
    assert strengths in to_text(summary)
    assert summary.note  # says the model was not asked


def test_deterministic_summary_reads_the_scorecard() -> None:
    card = card_of("ru-car-dealer-poor.txt")
    summary = deterministic_summary(card)
    failed = {f"criterion:{c['id']}" for c in card["criteria"] if not c["passed"]}
    passed = {f"criterion:{c['id']}" for c in card["criteria"] if c["passed"]}
    assert {p.finding for p in summary.changes} <= failed | {
        f"stage:{s['kind']}" for s in card["stages"] if not s["covered"]
    } | {f.id for f in summary.findings if f.id.startswith("question:")}
    # the heaviest failed criterion (talk ratio: 0 of 20) leads the changes
    assert summary.changes[0].finding == "criterion:talk_ratio"
    assert "81 %" in summary.changes[0].text
    assert all(p.finding not in failed for p in summary.strengths)
    assert passed & {p.finding for p in summary.strengths}


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("rep talked 81 % of the time", []),
        ("aim for 40–55 % next time", []),
        ("talk ratio 0.81", []),
        ("ask 17 questions next call", ["17"]),
        ("you talked 95 % of the time", ["95"]),
        ("доля речи 81 %, а нужно 40–55 %", []),
        ("задайте 25 вопросов", ["25"]),
    ],
)
def test_invented_numbers(text: str, invented: list[str]) -> None:
    card = card_of("ru-car-dealer-poor.txt")
    assert invented_numbers(text, allowed_numbers(card)) == invented


def _answer(card: dict[str, Any]) -> dict[str, Any]:
    base = deterministic_summary(card)

    def item(p: Any) -> dict[str, Any]:
        return {"finding": p.finding, "utterance": p.utterance, "quote": p.quote, "text": p.text}

    return {
        "strengths": [item(p) for p in base.strengths],
        "changes": [item(p) for p in base.changes],
        "plan": "Ask more open questions and let the client talk.",
    }


def test_a_faithful_answer_passes_the_checks() -> None:
    card = card_of("en-car-dealer-poor.txt")
    answer = _answer(card)
    base = deterministic_summary(card)
    assert answer_problems(answer, card, base.findings) == []
    summary = summary_from_answer(answer, card, base)
    assert summary.by_model
    assert_grounded(summary, card)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda a: a["strengths"][0].update(text="You asked 23 great questions."), "23"),
        (lambda a: a["changes"][1].update(quote="we never said this"), "quote is not words"),
        (lambda a: a["changes"][1].update(utterance=9999), "not an utterance of the call"),
        (lambda a: a.update(plan="Talk 37 % of the time next call."), "plan has 37"),
        (lambda a: a["strengths"].pop(), "exactly 3"),
        (lambda a: a["strengths"][1].update(finding=a["strengths"][0]["finding"]), "repeated"),
        (lambda a: a["strengths"][0].update(finding=a["changes"][0]["finding"]), "not one of"),
    ],
)
def test_the_validator_rejects_ungrounded_answers(
    change: Callable[[dict[str, Any]], None], problem: str
) -> None:
    card = card_of("en-car-dealer-poor.txt")
    answer = _answer(card)
    change(answer)
    problems = answer_problems(answer, card, deterministic_summary(card).findings)
    assert any(problem in p for p in problems), problems


def test_no_server_falls_back_with_a_note() -> None:
    card = card_of("en-car-dealer-good.txt")
    settings = LLMSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", retries=0, timeout_s=5)
    summary = coaching_summary(card, settings=settings)
    assert not summary.by_model
    assert "scorecard alone" in summary.note and "no LLM answers" in summary.note
    assert_grounded(summary, card)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["en-car-dealer-poor.txt", "ru-car-dealer-good.txt"])
def test_the_real_model_gives_a_grounded_summary_or_the_fallback(
    name: str, llm_settings: LLMSettings
) -> None:
    card = card_of(name)
    summary = coaching_summary(card, settings=llm_settings, repairs=0)
    assert_grounded(summary, card)
    if not summary.by_model:  # the tiny model often fails the checks: then it says so
        assert "scorecard alone" in summary.note or "по оценке звонка" in summary.note


# --- through the console script ---------------------------------------------------------
@pytest.fixture
def quick_llm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file that keeps a slow model from holding a CLI test for long."""
    config = tmp_path / "config.yaml"
    config.write_text("llm:\n  timeout_s: 20\n  retries: 0\n", encoding="utf-8")
    monkeypatch.setenv("COACH_CONFIG", str(config))
    monkeypatch.delenv("COACH_LLM_MODEL", raising=False)
    return config


def test_score_summary_without_a_server(
    coach: Callable[..., Any], quick_llm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    out = tmp_path / "out"
    run = coach("score", str(CALLS / "ru-car-dealer-poor.txt"), "--summary", "--out", str(out))
    assert run.code == 0, run.err
    assert "Что получилось:" in run.out and "Что изменить:" in run.out
    assert "только по оценке звонка" in run.out
    written = (out / "ru-car-dealer-poor.summary.md").read_text(encoding="utf-8")
    assert written.startswith("## Итоги звонка") and "### План на следующий звонок" in written
    assert (out / "ru-car-dealer-poor.scorecard.txt").is_file()


def test_score_summary_keeps_json_on_stdout(
    coach: Callable[..., Any], quick_llm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    run = coach("score", str(CALLS / "en-car-dealer-good.txt"), "--summary", "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["total"] > 0
    assert "What went well:" in run.err


@pytest.mark.slow
def test_score_summary_with_the_real_server(
    coach: Callable[..., Any],
    quick_llm: Path,
    llm_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", llm_server.base_url)
    run = coach("score", str(CALLS / "en-car-dealer-poor.txt"), "--summary", "--format", "md")
    assert run.code == 0, run.err
    assert "### What went well" in run.out and "### Plan for the next call" in run.out
    section = run.out.split("## Coaching summary", 1)[1]
    assert section.count("[utterance ") == 2 * POINTS


def test_call_report_with_a_summary(
    coach: Callable[..., Any], quick_llm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    db = tmp_path / "calls.db"
    stored = coach("score", str(CALLS / "en-car-dealer-poor.txt"), "--store", "--db", str(db))
    assert stored.code == 0, stored.err
    md = coach("report", "--db", str(db), "--call", "1", "--summary")
    assert md.code == 0, md.err
    assert "## Coaching summary" in md.out and "### What to change" in md.out
    html = coach("report", "--db", str(db), "--call", "1", "--summary", "--format", "html")
    assert html.code == 0, html.err
    assert '<section class="coaching">' in html.out and "<h3>What went well</h3>" in html.out
    plain = coach("report", "--db", str(db), "--call", "1", "--language", "ru")
    assert plain.code == 0 and "Итоги звонка" not in plain.out
    ru = coach("report", "--db", str(db), "--call", "1", "--summary", "--language", "ru")
    assert "## Итоги звонка" in ru.out
