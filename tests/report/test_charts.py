"""Charts: well-formed SVG with a title, numbers where the scale puts them, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from coach.report.charts import (
    coverage_heatmap_svg,
    question_mix_svg,
    score_trend_svg,
    series_style,
    talk_ratio_svg,
)
from coach.report.data import RepStats, TalkPoint, TrendPoint

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def stats(rep: str, open_q: int, closed_q: int, spin: tuple[int, int, int, int]) -> RepStats:
    return RepStats(
        rep=rep,
        calls=1,
        mean_score=50,
        pass_rate=0.5,
        mean_talk_ratio=0.5,
        open_questions=open_q,
        closed_questions=closed_q,
        spin=dict(zip(("situation", "problem", "implication", "need_payoff"), spin, strict=True)),
        stage_coverage={},
    )


@pytest.mark.parametrize(
    "svg",
    [
        score_trend_svg([], title="T"),
        talk_ratio_svg([], (0.4, 0.55), title="T", band_label="target"),
        coverage_heatmap_svg({}, [], title="T", kind_labels={}),
        question_mix_svg([], title="T", labels={}),
    ],
)
def test_every_chart_has_a_title_and_aria_label_even_when_empty(svg: str) -> None:
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "T"
    assert root.find("s:title", NS) is not None


def test_trend_line_goes_through_the_weekly_means() -> None:
    trend = [TrendPoint("anna", "2026-11-02", 0.0, 1), TrendPoint("anna", "2026-11-16", 100.0, 2)]
    root = parse(score_trend_svg(trend, title="Score"))
    line = root.find("s:polyline", NS)
    assert line is not None and line.get("data-rep") == "anna"
    # plot area x 44–490, y 200 (0 %) to 24 (100 %)
    assert line.get("points") == "44.0,200.0 490.0,24.0"


def test_trend_series_differ_by_dash_and_marker_not_only_shade() -> None:
    styles = {series_style(i) for i in range(16)}
    assert len(styles) == 16
    assert series_style(0)[1:] != series_style(1)[1:]


def test_talk_band_is_shaded_between_its_ends() -> None:
    points = [TalkPoint(1, "2026-11-02", "anna", 0.5), TalkPoint(2, "2026-11-03", "boris", 0.9)]
    root = parse(talk_ratio_svg(points, (0.40, 0.55), title="Talk", band_label="target"))
    band = root.find("s:rect[@class='band']", NS)
    assert band is not None
    # 176 px for 0–100 %: 55 % is at 200 - 96.8, the band is 15 % = 26.4 px tall
    assert float(band.get("y", "")) == pytest.approx(103.2)
    assert float(band.get("height", "")) == pytest.approx(26.4)
    texts = "".join(root.itertext())
    assert "target 40%–55%" in texts
    assert root.findall("s:circle", NS)  # anna's marker; boris is a square
    assert root.findall("s:rect[@width='5.0']", NS)


def test_heatmap_cells_show_their_rate_as_text_and_shade() -> None:
    svg = coverage_heatmap_svg(
        {"anna": {"greeting": 1.0, "close": 2 / 3}, "boris": {"greeting": 0.0}},
        ["greeting", "close"],
        title="Coverage",
        kind_labels={"greeting": "приветствие"},
    )
    root = parse(svg)
    cells = root.findall("s:rect[@class='cell']", NS)
    # shade 245 - 200 × rate: 45, 245 - 133.3 = 112, 245
    assert [c.get("fill") for c in cells] == ["#2d2d2d", "#707070", "#f5f5f5"]
    texts = list(root.itertext())
    assert "67%" in texts and "100%" in texts and "0%" in texts
    assert "приветствие" in texts and "·" in texts  # boris never had a close


def test_question_mix_segments_are_proportional() -> None:
    root = parse(question_mix_svg([stats("anna", 3, 1, (1, 1, 0, 2))], title="Q", labels={}))
    widths = [float(r.get("width", "")) for r in root.findall("s:rect[@class='segment']", NS)]
    # bar 510 px: open/closed 3:1, then situation, problem, need-payoff 1:1:2
    assert widths == pytest.approx([382.5, 127.5, 127.5, 127.5, 255.0])
    assert {"75%", "25%", "50%"} <= set(root.itertext())


def test_rep_names_are_escaped() -> None:
    svg = score_trend_svg([TrendPoint("<b>x</b>", "2026-11-02", 50.0, 1)], title="A & B")
    root = parse(svg)  # parses: nothing raw leaked into the markup
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert root.get("aria-label") == "A & B"
