"""Rendered reports: labels per language, transcript text escaped, CSV and JSON readable."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.report.data import ReportData, build_call_report, build_report, pick_highlights, scored
from coach.report.render import LABELS, calls_csv, clock, md_cell, render_call, render_period
from coach.store import Store
from tests.report.conftest import CALLS, SCRIPT_QUOTE, fill


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "calls.db") as opened:
        fill(opened)
        yield opened


def period(store: Store) -> ReportData:
    calls = scored(store.calls())
    best, worst = pick_highlights(calls)
    moments = store.moments()
    ids = {c.id for c in best + worst} | {m[0] for m in moments}
    return build_report(calls, {i: store.call(i) for i in ids}, moments, scope="north")


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, ""), (0, "00:00"), (81.7, "01:21"), (3725, "1:02:05")]
)
def test_clock(seconds: float | None, text: str) -> None:
    assert clock(seconds) == text


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ("a | b", "a \\| b"),
        ("<script>", "&lt;script&gt;"),
        ("two\nlines", "two lines"),
        ("need_payoff", "need\\_payoff"),
    ],
)
def test_md_cell(raw: str, cell: str) -> None:
    assert md_cell(raw) == cell


def test_labels_cover_the_same_keys() -> None:
    assert set(LABELS["en"]) == set(LABELS["ru"])


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            [
                "Call report: north",
                "Best calls",
                "Stage coverage",
                "Mean score",
                "Best-practice moments",
            ],
        ),
        (
            "ru",
            [
                "Отчёт по звонкам: north",
                "Лучшие звонки",
                "Покрытие этапов",
                "Средний балл",
                "Лучшие практики",
            ],
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_period_labels(store: Store, language: str, words: list[str], fmt: str) -> None:
    text = render_period(period(store), fmt, language)
    for word in words:
        assert word in text
    other = "ru" if language == "en" else "en"
    assert LABELS[other]["best_calls"] not in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_transcript_text_is_escaped(store: Store, fmt: str) -> None:
    period_text = render_period(period(store), fmt)
    call_text = render_call(build_call_report(store.call(2)), fmt)
    for text in (period_text, call_text):
        assert "<script>" not in text
        assert "&lt;script&gt;alert(" in text
    assert "<b>pitch</b>" not in call_text and "&lt;b&gt;pitch&lt;/b&gt;" in call_text


def test_html_is_self_contained(store: Store) -> None:
    html = render_period(period(store), "html")
    assert html.count("<svg") == 4 and "@media print" in html
    # the only URL is the SVG namespace, which is a name, not a request
    assert set(re.findall(r"https?://[^\s\"')]+", html)) == {"http://www.w3.org/2000/svg"}
    for fetch in ("<script", "<link", "src=", "@import", "url("):
        assert fetch not in html


def test_period_markdown_numbers(store: Store) -> None:
    text = render_period(period(store), "md")
    # anna 80, 40, 90 → 70.0, 2 of 3 passed; boris 70, 30 → 50.0; carl 50 → 50.0, 0 %
    assert re.search(r"\| anna \| 3 \| 70\.0 \| 67% \|", text)
    assert re.search(r"\| boris \| 2 \| 50\.0 \| 50% \|", text)
    assert re.search(r"\| carl \| 1 \| 50\.0 \| 0% \|", text)
    assert "### Call 3 · anna · 2026-11-10 · 90.0" in text  # the best call first
    assert text.index("### Call 5 · boris") < text.index("### Call 2 · anna")  # worst first


def test_call_report_sections(store: Store) -> None:
    text = render_call(build_call_report(store.call(1)), "md")
    assert "# Call 1: anna · 2026-11-02" in text and "**Score: 80.0** — passed" in text
    assert "Talk ratio — target: 40%–55%" in text
    assert "## Best-practice moments" in text and "\n- [00:14] «" in text  # utterance 2 tagged


def test_csv_one_row_per_call(store: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(calls_csv(scored(store.calls())))))
    assert len(rows) == len(CALLS)
    assert [r["rep"] for r in rows] == [c[0] for c in sorted(CALLS, key=lambda c: c[2])]
    assert rows[0]["score_pct"] == "80.0" and rows[0]["passed"] == "1"
    assert rows[0]["tags"] == "best"


def test_json_round_trips(store: Store) -> None:
    data = json.loads(render_period(period(store), "json"))
    assert [r["rep"] for r in data["reps"]] == ["anna", "boris", "carl"]
    assert data["talk_band"] == [0.40, 0.55]
    assert data["best_practice"][1]["text"] == SCRIPT_QUOTE
