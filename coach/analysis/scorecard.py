"""The Scorecard (FORMATS.md §2): what a lead reads, as JSON, Markdown or a terminal table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coach.analysis.analyse import Analysis
from coach.analysis.questions import Question
from coach.analysis.rubric import Rubric
from coach.analysis.scoring import CriterionResult, score_criteria, total
from coach.scripts.model import StageKind

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Scorecard:
    analysis: Analysis
    rubric: Rubric
    criteria: tuple[CriterionResult, ...]
    total: float

    @property
    def passed(self) -> bool:
        return self.total >= self.rubric.pass_mark

    @property
    def source(self) -> str | None:
        return self.analysis.transcript.source


def build(analysis: Analysis, rubric: Rubric) -> Scorecard:
    results = tuple(score_criteria(analysis, rubric))
    return Scorecard(analysis, rubric, results, total(results))


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def to_dict(card: Scorecard) -> dict[str, Any]:
    """FORMATS.md §2 exactly, plus a few documented extras other tools may ignore."""
    analysis = card.analysis
    transcript = analysis.transcript
    script = analysis.script
    stage_ids: dict[StageKind, str] = {}
    if script is not None:
        for stage in script.stages:
            stage_ids.setdefault(stage.kind, stage.id)
    return {
        "schema_version": SCHEMA_VERSION,
        "source": transcript.source,
        "language": transcript.language,
        "duration_s": _r(transcript.duration_s, 1),
        "script": script.id if script else None,
        "rubric": card.rubric.id,
        "rubric_version": card.rubric.version,
        "total": card.total,
        "max_total": 100,
        "pass_mark": card.rubric.pass_mark,
        "passed": card.passed,
        "criteria": [
            {
                "id": c.id,
                "label": c.label,
                "score": c.score,
                "max": c.max,
                "passed": c.passed,
                "detail": c.detail,
                "severity": c.severity,
                "evidence": [
                    {"utterance": e.utterance, "start": _r(e.start, 1), "text": e.text}
                    for e in c.evidence
                ],
            }
            for c in card.criteria
        ],
        "stages": [
            {
                "id": cov.stage_id or stage_ids.get(cov.kind, cov.kind.value),
                "kind": cov.kind.value,
                "covered": cov.covered,
                "utterances": list(cov.utterances),
                "start": _r(cov.start, 1),
                "confidence": cov.confidence,
            }
            for cov in analysis.coverage
        ],
        "metrics": analysis.metrics.as_dict(),
        "objections": [
            {
                "utterance": o.utterance,
                "category": o.category,
                "trigger": o.trigger,
                "handled": o.handled,
            }
            for o in analysis.objections
        ],
        "warnings": list(transcript.warnings),
        "utterances": [
            {
                "index": u.index,
                "speaker": u.speaker.value,
                "start": _r(u.start, 2),
                "end": _r(u.end, 2),
                "text": u.text,
                "stages": [e.kind.value for e in analysis.stages[u.index]],
                "questions": [
                    {
                        "text": q.text,
                        "form": q.form.value,
                        "spin": q.spin.value if q.spin else None,
                        "found_by": found_by(q),
                    }
                    for q in analysis.questions[u.index]
                ],
                **(
                    {"rhetorical": list(analysis.rhetorical[u.index])}
                    if analysis.rhetorical and analysis.rhetorical[u.index]
                    else {}
                ),
            }
            for u in transcript.utterances
        ],
    }


# why a question counts as one, for a lead checking the scorecard (first evidence code)
FOUND_BY = {
    "?": "question mark",
    "cue": "question words",
    "asr": "question words, no punctuation",
    "tag": "tag at the end",
    "name check": "greeting, then the client's name",
    "a-turn": "short turn opened by «а»",
    "a-question": "clause opened by «а» with a question word",
    "choice": "offers the client a choice",
    "short clause": "short clause addressed to the client",
    "turn end": "turn ends addressing the client",
    "reply": "the client's reply answers it",
    "script": "a question of the script",
}


def found_by(question: Question) -> str:
    """In a few words, what made the analysis count this as a question."""
    if question.from_script:
        return FOUND_BY["script"]
    how = question.evidence[0] if question.evidence else ""
    return FOUND_BY.get(how, how or "rules")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _points(c: CriterionResult) -> str:
    return "n/a" if c.score is None else f"{c.score:g}/{c.max:g}"


def _mark(c: CriterionResult) -> str:
    return {True: "✔", False: "✘", None: "·"}[c.passed]


def to_markdown(card: Scorecard) -> str:
    """A Markdown scorecard a lead can paste into feedback."""
    a = card.analysis
    m = a.metrics
    title = a.transcript.title or a.transcript.source or "call"
    verdict = "passed" if card.passed else "below the pass mark"
    lines = [
        f"# Scorecard: {title}",
        "",
        f"**{card.total:g} / 100** — {verdict} ({card.rubric.pass_mark:g}) · rubric "
        f"`{card.rubric.id}` v{card.rubric.version} · script "
        f"`{a.script.id if a.script else 'generic skeleton'}` · {a.transcript.language} · "
        f"{_clock(a.transcript.duration_s)}",
        "",
    ]
    for warning in a.transcript.warnings:
        lines.append(f"> ⚠ {warning}")
    if a.transcript.warnings:
        lines.append("")
    lines += ["| | criterion | points | detail |", "|---|---|---|---|"]
    for c in card.criteria:
        lines.append(f"| {_mark(c)} | {c.label} | {_points(c)} | {c.detail} |")
    lines += ["", "## Evidence", ""]
    for c in card.criteria:
        if not c.evidence:
            continue
        lines.append(f"**{c.label}**")
        lines.append("")
        for e in c.evidence:
            lines.append(f"- [{_clock(e.start)}] #{e.utterance}: «{e.text}»")
        lines.append("")
    lines += ["## Stages", ""]
    lines.append(" → ".join(f"{c.kind.value}{'' if c.covered else ' ✘'}" for c in a.coverage))
    lines += ["", "## Metrics", ""]
    ratio = "—" if m.rep_talk_ratio is None else f"{m.rep_talk_ratio:.0%} ({m.talk_basis})"
    lines += [
        f"- rep talk ratio: {ratio}",
        f"- questions: {m.rep_questions} ({m.open_questions} open, {m.closed_questions} closed); "
        + ", ".join(f"{k.replace('_', '-')} {v}" for k, v in m.spin_counts.items())
        + (f"; rhetorical {m.rhetorical_questions}" if m.rhetorical_questions else ""),
        f"- longest monologue: rep {_clock(m.longest_rep_monologue_s)}, client "
        f"{_clock(m.longest_client_monologue_s)}",
        f"- interactivity: {m.interactivity or 0:.1f} switches/min; pace "
        f"{m.rep_words_per_minute or 0:.0f} wpm; first question at "
        f"{_clock(m.time_to_first_question_s)}",
    ]
    if a.objections:
        lines += ["", "## Objections", ""]
        for o in a.objections:
            lines.append(
                f"- #{o.utterance} {o.category} («{o.trigger}»): "
                + ("handled" if o.handled else "not handled")
            )
    return "\n".join(lines) + "\n"


def render_text(cards: Sequence[Scorecard], width: int | None = None) -> str:
    """Terminal output: one scorecard in full, or several side by side."""
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    console = Console(
        file=buffer, width=width or 110, force_terminal=False, no_color=True, highlight=False
    )
    if len(cards) == 1:
        _one(console, cards[0])
    else:
        _side_by_side(console, cards)
    return buffer.getvalue()


def _one(console: Any, card: Scorecard) -> None:
    from rich.table import Table

    a = card.analysis
    name = a.transcript.title or a.transcript.source or "call"
    table = Table(
        title=f"{name} — {card.total:g}/100 "
        f"({'pass' if card.passed else 'below ' + format(card.rubric.pass_mark, 'g')})",
        title_justify="left",
        expand=False,
    )
    table.add_column("", width=1)
    table.add_column("criterion")
    table.add_column("points", justify="right")
    table.add_column("detail")
    for c in card.criteria:
        table.add_row(_mark(c), c.label, _points(c), c.detail)
    console.print(table)
    m = a.metrics
    ratio = "—" if m.rep_talk_ratio is None else f"{m.rep_talk_ratio:.0%}"
    console.print(
        f"talk {ratio} ({m.talk_basis}) · {m.rep_questions} questions "
        f"({m.open_questions} open) · S/P/I/N "
        + "/".join(str(v) for v in m.spin_counts.values())
        + (f" · {m.rhetorical_questions} rhetorical" if m.rhetorical_questions else "")
        + f" · stages: {', '.join(a.covered_kinds()) or 'none'}"
    )
    for warning in a.transcript.warnings:
        console.print(f"warning: {warning}")


def _side_by_side(console: Any, cards: Sequence[Scorecard]) -> None:
    from rich.table import Table

    table = Table(title="Scorecards side by side", title_justify="left")
    table.add_column("criterion")
    for card in cards:
        name = card.analysis.transcript.title or card.source or "call"
        table.add_column(_short(card.source or name), justify="right")
    labels: dict[str, str] = {}
    for card in cards:
        for c in card.criteria:
            labels.setdefault(c.id, c.label)
    for criterion_id, label in labels.items():
        row = [label]
        for card in cards:
            found = next((c for c in card.criteria if c.id == criterion_id), None)
            row.append("" if found is None else f"{_mark(found)} {_points(found)}")
        table.add_row(*row)
    table.add_section()
    table.add_row("TOTAL", *[f"{c.total:g} {'pass' if c.passed else 'FAIL'}" for c in cards])
    table.add_row("rubric", *[c.rubric.id for c in cards])
    table.add_row(
        "rep talk",
        *[
            "—"
            if c.analysis.metrics.rep_talk_ratio is None
            else f"{c.analysis.metrics.rep_talk_ratio:.0%}"
            for c in cards
        ],
    )
    table.add_row("questions", *[str(c.analysis.metrics.rep_questions) for c in cards])
    console.print(table)


def _short(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]
