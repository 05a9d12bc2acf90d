"""Report aggregates against numbers worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.analysis.rubric import load_rubric
from coach.report.data import (
    build_report,
    coverage_rates,
    evidence_moments,
    pick_highlights,
    rep_stats,
    score_of,
    score_trend,
    talk_band_of,
    week_of,
)
from coach.store import CallDetail, CallSummary

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"


def call(
    id: int,
    rep: str,
    date: str,
    total: float,
    *,
    passed: bool,
    talk: float | None = 0.5,
    open_q: int = 0,
    closed_q: int = 0,
    spin: tuple[int, int, int, int] = (0, 0, 0, 0),
    stages: dict[str, bool] | None = None,
    max_total: float = 100.0,
) -> CallSummary:
    return CallSummary(
        id=id,
        source=None,
        rep=rep,
        team="north",
        date=date,
        language="en",
        script="s",
        duration_s=60.0,
        outcome=None,
        rubric="discovery",
        total=total,
        max_total=max_total,
        passed=passed,
        talk_ratio=talk,
        questions=open_q + closed_q,
        open_questions=open_q,
        closed_questions=closed_q,
        spin=dict(zip(("situation", "problem", "implication", "need_payoff"), spin, strict=True)),
        stages=stages or {},
    )


CALLS = [
    call(
        1,
        "anna",
        "2026-11-02T10:00:00",
        80,
        passed=True,
        talk=0.40,
        open_q=3,
        closed_q=1,
        spin=(2, 1, 0, 0),
        stages={"greeting": True, "close": True},
    ),
    call(
        2,
        "anna",
        "2026-11-04T10:00:00",
        40,
        passed=False,
        talk=0.70,
        open_q=1,
        closed_q=5,
        spin=(1, 0, 0, 0),
        stages={"greeting": True, "close": False},
    ),
    call(
        3,
        "anna",
        "2026-11-09T10:00:00",
        90,
        passed=True,
        talk=None,
        open_q=2,
        closed_q=2,
        spin=(1, 1, 1, 1),
        stages={"greeting": False, "close": True, "teaser": True},
    ),
    call(4, "boris", "2026-11-08T23:59:00", 30, passed=False, talk=0.60),
    call(5, "boris", "2026-11-10T08:00:00", 25, passed=False, talk=0.50, max_total=50),
]


def test_rep_stats_by_hand() -> None:
    anna, boris = rep_stats(CALLS)
    assert anna.rep == "anna" and anna.calls == 3
    assert anna.mean_score == pytest.approx((80 + 40 + 90) / 3)
    assert anna.pass_rate == pytest.approx(2 / 3)
    assert anna.mean_talk_ratio == pytest.approx((0.40 + 0.70) / 2)  # the unknown one left out
    assert (anna.open_questions, anna.closed_questions) == (6, 8)
    assert dict(anna.spin) == {"situation": 4, "problem": 2, "implication": 1, "need_payoff": 1}
    assert dict(anna.stage_coverage) == pytest.approx(
        {"greeting": 2 / 3, "close": 2 / 3, "teaser": 1.0}
    )
    assert list(anna.stage_coverage) == ["greeting", "teaser", "close"]  # vocabulary order
    # boris's second call scored 25 of 50: 50 %
    assert boris.mean_score == pytest.approx((30 + 50) / 2)
    assert boris.pass_rate == 0


def test_coverage_counts_only_calls_that_had_the_stage() -> None:
    assert coverage_rates(CALLS[:3])["teaser"] == 1.0


@pytest.mark.parametrize(
    ("when", "monday"),
    [
        ("2026-11-02", "2026-11-02"),
        ("2026-11-08T23:59:00", "2026-11-02"),
        ("2026-11-09T00:00:00", "2026-11-09"),
        ("2027-01-01", "2026-12-28"),
    ],
)
def test_week_of(when: str, monday: str) -> None:
    assert week_of(when) == monday


def test_score_trend_weekly_means() -> None:
    trend = [(p.rep, p.week, round(p.mean_score, 3), p.calls) for p in score_trend(CALLS)]
    assert trend == [
        ("anna", "2026-11-02", 60.0, 2),
        ("anna", "2026-11-09", 90.0, 1),
        ("boris", "2026-11-02", 30.0, 1),
        ("boris", "2026-11-09", 50.0, 1),
    ]


def test_score_of_is_a_percent_of_the_maximum() -> None:
    assert score_of(CALLS[4]) == 50.0


@pytest.mark.parametrize(
    ("count", "best", "worst"), [(3, [3, 1, 5], [4, 2]), (2, [3, 1], [4, 2]), (1, [3], [4])]
)
def test_highlights_never_overlap(count: int, best: list[int], worst: list[int]) -> None:
    top, bottom = pick_highlights(CALLS, count=count)
    assert [c.id for c in top] == best
    assert [c.id for c in bottom] == worst


def test_the_best_calls_come_from_the_upper_half() -> None:
    top, bottom = pick_highlights(CALLS[:4], count=3)
    assert len(top) == 2 and len(bottom) == 2


def _detail(summary: CallSummary) -> CallDetail:
    card = {
        "criteria": [
            {
                "id": "a",
                "label": "Light",
                "max": 5,
                "passed": False,
                "evidence": [{"utterance": 4, "start": 20.0, "text": "four"}],
            },
            {
                "id": "b",
                "label": "Heavy",
                "max": 20,
                "passed": False,
                "evidence": [{"utterance": 4, "start": 20.0, "text": "four"}],
            },
            {
                "id": "c",
                "label": "Other",
                "max": 10,
                "passed": False,
                "evidence": [
                    {"utterance": 4, "start": 20.0, "text": "four"},
                    {"utterance": 7, "start": 61.0, "text": "seven"},
                ],
            },
            {"id": "d", "label": "Fine", "max": 10, "passed": True, "evidence": []},
        ],
        "utterances": [
            {"index": 4, "speaker": "rep", "start": 20.0, "text": "four"},
            {"index": 7, "speaker": "client", "start": 61.0, "text": "seven"},
        ],
    }
    return CallDetail(summary, card, None, None, (), ())


def test_evidence_heaviest_first_without_repeats() -> None:
    moments = evidence_moments(_detail(CALLS[1]), passed=False)
    assert [(m.why, m.utterance, m.speaker) for m in moments] == [
        ("Heavy", 4, "rep"),
        ("Other", 7, "client"),
    ]


def test_build_report_puts_it_together() -> None:
    details = {c.id: _detail(c) for c in CALLS}
    data = build_report(CALLS, details, [(2, 7), (99, 1)], scope="team north")
    assert [c.id for c in data.calls] == [1, 2, 4, 3, 5]  # oldest first
    assert data.first_date == "2026-11-02" and data.last_date == "2026-11-10"
    assert data.stages == ("greeting", "teaser", "close")
    assert data.coverage["boris"] == {}
    assert [(m.call_id, m.text) for m in data.best_practice] == [(2, "seven")]  # 99 unknown
    assert len(data.talk) == 4  # call 3 has no talk ratio
    assert data.worst[0].moments[0].why == "Heavy"


@pytest.mark.parametrize(
    ("rubric", "band"),
    [("discovery", (0.40, 0.55)), ("beginner-sp", (0.0, 0.65)), ("after-sale", (0.0, 0.55))],
)
def test_talk_band_from_the_rubric(rubric: str, band: tuple[float, float]) -> None:
    assert talk_band_of(load_rubric(rubric, [RUBRICS])) == band
