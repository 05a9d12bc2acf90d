"""Report charts as inline SVG strings: no JavaScript, no fonts to fetch, print-friendly.

Each chart carries a <title> and an aria-label, writes its numbers as text, and tells
its series apart by dash pattern and marker as well as shade, so it reads in grayscale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from coach.report.data import RepStats, TalkPoint, TrendPoint
from coach.store import SPIN_KINDS

WIDTH = 640
FONT = "font-family:sans-serif;font-size:11px"
INK = "#222"
GRID = "#ccc"
# (stroke, dash) per series; shapes cycle separately so 4 × 4 × 4 series stay distinct
STROKES = ("#000", "#555", "#888", "#333")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
SHAPES = ("circle", "square", "triangle", "diamond")
SPIN_FILLS = ("#222", "#666", "#999", "#ccc")
FORM_FILLS = ("#333", "#bbb")
MAX_WEEK_TICKS = 6


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{_attr(title)}" style="{FONT}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}"{extra}>'
        f"{escape(text)}</text>"
    )


def _marker(shape: str, x: float, y: float, fill: str, r: float = 3.5) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}"/>'
    if shape == "square":
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
            f'fill="{fill}"/>'
        )
    if shape == "triangle":
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y + r:.1f} {x - r:.1f},{y + r:.1f}"
    else:
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
    return f'<polygon points="{points}" fill="{fill}"/>'


def series_style(index: int) -> tuple[str, str, str]:
    """(stroke, dash, marker shape) of the index-th series."""
    return (
        STROKES[index % len(STROKES)],
        DASHES[(index // len(STROKES)) % len(DASHES)],
        SHAPES[index % len(SHAPES)],
    )


def _ordinal(day: str) -> int:
    return date.fromisoformat(day[:10]).toordinal()


def _y_axis(
    left: float, top: float, bottom: float, right: float, ticks: Sequence[tuple[float, str]]
) -> list[str]:
    """Horizontal grid lines at fractions (0 = bottom, 1 = top) with their labels."""
    out = []
    for fraction, label in ticks:
        y = bottom - fraction * (bottom - top)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" '
            'stroke-width="0.5"/>'
        )
        out.append(_text(left - 4, y + 4, label, "end"))
    return out


def _x_dates(first: int, last: int, left: float, right: float, y: float) -> list[str]:
    span = max(last - first, 1)
    count = min(5, span + 1)
    out = []
    for i in range(count):
        day = first + round(i * span / max(count - 1, 1))
        x = left + (day - first) / span * (right - left)
        out.append(_text(x, y, date.fromordinal(day).isoformat(), "middle"))
    return out


def _legend(names: Sequence[str], x: float, y: float, line: bool = True) -> list[str]:
    out = []
    for i, name in enumerate(names):
        stroke, dash, shape = series_style(i)
        row = y + i * 16
        if line:
            out.append(
                f'<line x1="{x}" y1="{row}" x2="{x + 22}" y2="{row}" stroke="{stroke}" '
                f'stroke-width="1.5" stroke-dasharray="{dash}"/>'
            )
        out.append(_marker(shape, x + 11, row, stroke))
        out.append(_text(x + 28, row + 4, name))
    return out


def score_trend_svg(trend: Sequence[TrendPoint], *, title: str, unit: str = "%") -> str:
    """One line per rep: the mean score of each week, 0–100."""
    by_rep: dict[str, list[TrendPoint]] = defaultdict(list)
    for point in trend:
        by_rep[point.rep].append(point)
    reps = sorted(by_rep)
    height = max(240, 60 + 16 * len(reps))
    left, top, right, bottom = 44.0, 24.0, WIDTH - 150.0, 200.0
    body = [_text(left, 14, title, extra=' font-weight="bold"')]
    body += _y_axis(
        left, top, bottom, right, [(v / 100, f"{v}{unit}") for v in (0, 25, 50, 75, 100)]
    )
    if not trend:
        return _svg(WIDTH, height, title, body)
    days = [_ordinal(p.week) for p in trend]
    first, last = min(days), max(days)
    span = max(last - first, 1)

    def x_of(week: str) -> float:
        if last == first:
            return (left + right) / 2
        return left + (_ordinal(week) - first) / span * (right - left)

    def y_of(score: float) -> float:
        return bottom - max(0.0, min(score, 100.0)) / 100 * (bottom - top)

    for i, rep in enumerate(reps):
        stroke, dash, shape = series_style(i)
        points = sorted(by_rep[rep], key=lambda p: p.week)
        coords = [(x_of(p.week), y_of(p.mean_score)) for p in points]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(
            f'<polyline class="series" data-rep="{_attr(rep)}" points="{path}" fill="none" '
            f'stroke="{stroke}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )
        for (x, y), point in zip(coords, points, strict=True):
            body.append(
                f"<g><title>{escape(rep)} {point.week}: {point.mean_score:.0f}{unit} "
                f"({point.calls})</title>{_marker(shape, x, y, stroke)}</g>"
            )
    if last == first:
        body.append(
            _text((left + right) / 2, bottom + 16, date.fromordinal(first).isoformat(), "middle")
        )
    else:
        weeks = sorted({p.week for p in trend})
        if len(weeks) <= MAX_WEEK_TICKS:  # one tick per week when they fit
            body += [_text(x_of(week), bottom + 16, week, "middle") for week in weeks]
        else:
            body += _x_dates(first, last, left, right, bottom + 16)
    body += _legend(reps, right + 14, top + 4)
    return _svg(WIDTH, height, title, body)


def talk_ratio_svg(
    points: Sequence[TalkPoint],
    band: tuple[float, float],
    *,
    title: str,
    band_label: str,
) -> str:
    """Each call's rep talk ratio over time, with the target band shaded."""
    reps = sorted({p.rep for p in points})
    height = max(240, 60 + 16 * len(reps))
    left, top, right, bottom = 44.0, 24.0, WIDTH - 150.0, 200.0

    def y_of(ratio: float) -> float:
        return bottom - max(0.0, min(ratio, 1.0)) * (bottom - top)

    low, high = band
    body = [_text(left, 14, title, extra=' font-weight="bold"')]
    body.append(
        f'<rect class="band" x="{left}" y="{y_of(high):.1f}" width="{right - left}" '
        f'height="{y_of(low) - y_of(high):.1f}" fill="#e3e3e3" stroke="#999" '
        'stroke-dasharray="3 2" stroke-width="0.5"/>'
    )
    body.append(_text(right - 4, y_of(high) - 3, f"{band_label} {low:.0%}–{high:.0%}", "end"))
    body += _y_axis(left, top, bottom, right, [(v / 100, f"{v}%") for v in (0, 25, 50, 75, 100)])
    if points:
        days = [_ordinal(p.date) for p in points]
        first, last = min(days), max(days)
        span = max(last - first, 1)
        style = {rep: series_style(i) for i, rep in enumerate(reps)}
        for point, day in zip(points, days, strict=True):
            x = (
                (left + right) / 2
                if last == first
                else left + (day - first) / span * (right - left)
            )
            stroke, _dash, shape = style[point.rep]
            body.append(_marker(shape, x, y_of(point.talk_ratio), stroke, r=2.5))
        if last == first:
            body.append(_text((left + right) / 2, bottom + 16, points[0].date[:10], "middle"))
        else:
            body += _x_dates(first, last, left, right, bottom + 16)
        body += _legend(reps, right + 14, top + 4, line=False)
    return _svg(WIDTH, height, title, body)


def coverage_heatmap_svg(
    coverage: Mapping[str, Mapping[str, float]],
    kinds: Sequence[str],
    *,
    title: str,
    kind_labels: Mapping[str, str],
) -> str:
    """Rep × stage: the share of calls that covered the stage, as a shade and a number."""
    reps = sorted(coverage)
    cell_w, cell_h, left, top = 46.0, 22.0, 110.0, 90.0
    width = int(max(WIDTH, left + cell_w * len(kinds) + 10))
    height = int(top + cell_h * len(reps) + 10)
    body = [_text(4, 14, title, extra=' font-weight="bold"')]
    for j, kind in enumerate(kinds):
        x = left + j * cell_w + cell_w / 2
        body.append(
            _text(
                x,
                top - 6,
                kind_labels.get(kind, kind),
                extra=f' transform="rotate(-45 {x:.1f} {top - 6:.1f})"',
            )
        )
    for i, rep in enumerate(reps):
        y = top + i * cell_h
        body.append(_text(left - 6, y + cell_h / 2 + 4, rep, "end"))
        for j, kind in enumerate(kinds):
            x = left + j * cell_w
            rate = coverage[rep].get(kind)
            if rate is None:
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w}" height="{cell_h}" '
                    f'fill="#fff" stroke="{GRID}"/>'
                )
                body.append(_text(x + cell_w / 2, y + cell_h / 2 + 4, "·", "middle"))
                continue
            shade = round(245 - rate * 200)  # 0 % light, 100 % dark
            fill = f"#{shade:02x}{shade:02x}{shade:02x}"
            colour = "#fff" if rate >= 0.55 else INK
            body.append(
                f'<rect class="cell" x="{x:.1f}" y="{y:.1f}" width="{cell_w}" height="{cell_h}" '
                f'fill="{fill}" stroke="#fff"><title>{escape(rep)} · '
                f"{escape(kind_labels.get(kind, kind))}: {rate:.0%}</title></rect>"
            )
            body.append(
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" '
                f'text-anchor="middle" fill="{colour}">{rate:.0%}</text>'
            )
    return _svg(width, height, title, body)


def question_mix_svg(reps: Sequence[RepStats], *, title: str, labels: Mapping[str, str]) -> str:
    """Two stacked bars per rep: open vs closed questions, and the SPIN mix (as shares)."""
    left, top, bar_w, bar_h = 110.0, 44.0, WIDTH - 130.0, 14.0
    row = 2 * bar_h + 12
    height = int(top + row * len(reps) + 10)
    body = [_text(4, 14, title, extra=' font-weight="bold"')]
    legend_x = left
    names = [("open", FORM_FILLS[0]), ("closed", FORM_FILLS[1])] + [
        (kind, fill) for kind, fill in zip(SPIN_KINDS, SPIN_FILLS, strict=True)
    ]
    for key, fill in names:
        body.append(
            f'<rect x="{legend_x}" y="22" width="10" height="10" fill="{fill}" '
            'stroke="#000" stroke-width="0.5"/>'
        )
        body.append(_text(legend_x + 14, 31, labels.get(key, key)))
        legend_x += 14 + 7 * len(labels.get(key, key)) + 12
    for i, stats in enumerate(reps):
        y = top + i * row
        body.append(_text(left - 6, y + bar_h + 4, stats.rep, "end"))
        forms = [(stats.open_questions, FORM_FILLS[0]), (stats.closed_questions, FORM_FILLS[1])]
        spin = [(stats.spin.get(k, 0), f) for k, f in zip(SPIN_KINDS, SPIN_FILLS, strict=True)]
        for offset, parts in ((0.0, forms), (bar_h + 2, spin)):
            total = sum(n for n, _ in parts)
            x = left
            if total == 0:
                body.append(
                    f'<rect x="{x}" y="{y + offset:.1f}" width="{bar_w}" height="{bar_h}" '
                    f'fill="#fff" stroke="{GRID}"/>'
                )
                continue
            for count, fill in parts:
                w = bar_w * count / total
                if w <= 0:
                    continue
                body.append(
                    f'<rect class="segment" x="{x:.1f}" y="{y + offset:.1f}" width="{w:.1f}" '
                    f'height="{bar_h}" fill="{fill}" stroke="#fff" stroke-width="0.5">'
                    f"<title>{count}</title></rect>"
                )
                if w >= 26:
                    colour = "#fff" if fill in ("#222", "#333", "#666") else INK
                    body.append(
                        f'<text x="{x + w / 2:.1f}" y="{y + offset + bar_h - 3:.1f}" '
                        f'text-anchor="middle" fill="{colour}">{count / total:.0%}</text>'
                    )
                x += w
    return _svg(WIDTH, height, title, body)
