"""What a report shows, computed from stored calls: per-rep aggregates, trends, highlights.

Pure functions: call summaries and a few call details in, frozen dataclasses out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import Any

from coach.analysis.rubric import Rubric
from coach.scripts.model import StageKind
from coach.store import BEST, CALL, SPIN_KINDS, CallDetail, CallSummary

DEFAULT_TALK_BAND = (0.40, 0.55)
HIGHLIGHTS = 3  # best and worst calls of the period
MOMENTS_PER_CALL = 3
STAGE_ORDER = tuple(kind.value for kind in StageKind)
NO_REP = "—"


@dataclass(frozen=True)
class RepStats:
    """One rep's numbers over the period (scores in percent of the rubric's maximum)."""

    rep: str
    calls: int
    mean_score: float
    pass_rate: float
    mean_talk_ratio: float | None
    open_questions: int
    closed_questions: int
    spin: Mapping[str, int]
    stage_coverage: Mapping[str, float]  # kind → share of calls that covered it


@dataclass(frozen=True)
class TrendPoint:
    rep: str
    week: str  # the Monday of the ISO week, YYYY-MM-DD
    mean_score: float
    calls: int


@dataclass(frozen=True)
class TalkPoint:
    call_id: int
    date: str
    rep: str
    talk_ratio: float


@dataclass(frozen=True)
class Moment:
    """One utterance worth showing: a criterion's evidence or a best-practice tag."""

    call_id: int
    utterance: int
    start: float | None
    speaker: str | None
    text: str
    why: str  # the criterion's label, or "best" for a best-practice tag


@dataclass(frozen=True)
class Highlight:
    call: CallSummary
    score: float
    moments: tuple[Moment, ...]


@dataclass(frozen=True)
class Line:
    """One utterance of a call shown in full at the end of a report."""

    index: int
    start: float | None
    speaker: str
    text: str
    marked: bool  # a moment the report points at


@dataclass(frozen=True)
class CallTranscript:
    call: CallSummary
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ReportData:
    """A period report for a rep, a team or everyone."""

    scope: str
    since: str | None
    until: str | None
    calls: tuple[CallSummary, ...]  # scored calls only, oldest first
    reps: tuple[RepStats, ...]
    trend: tuple[TrendPoint, ...]
    talk: tuple[TalkPoint, ...]
    stages: tuple[str, ...]  # stage kinds seen, in vocabulary order
    coverage: Mapping[str, Mapping[str, float]]  # rep → kind → rate
    best: tuple[Highlight, ...]
    worst: tuple[Highlight, ...]
    best_practice: tuple[Moment, ...]
    talk_band: tuple[float, float]
    transcripts: tuple[CallTranscript, ...] = ()  # the calls the moments link to

    @property
    def first_date(self) -> str | None:
        return _day(self.calls[0].date) if self.calls else None

    @property
    def last_date(self) -> str | None:
        return _day(self.calls[-1].date) if self.calls else None


@dataclass(frozen=True)
class CallReport:
    """One call: its scorecard, comments and best-practice moments."""

    summary: CallSummary
    score: float
    criteria: tuple[Mapping[str, Any], ...]
    metrics: Mapping[str, Any]
    stages: tuple[Mapping[str, Any], ...]
    comments: tuple[tuple[str, str | None, str], ...]  # (where, author, body)
    best_practice: tuple[Moment, ...]
    talk_band: tuple[float, float]


def score_of(call: CallSummary) -> float:
    """The call's total in percent of its rubric's maximum (0 when unscored)."""
    if call.total is None:
        return 0.0
    top = call.max_total or 100.0
    return 100.0 * call.total / top


def scored(calls: Iterable[CallSummary]) -> list[CallSummary]:
    """Calls that have a scorecard, oldest first (a live record alone has no numbers)."""
    return sorted((c for c in calls if c.total is not None), key=lambda c: (c.date or "", c.id))


def week_of(when: str) -> str:
    """The Monday of the ISO week of an ISO date or date-time."""
    day = date.fromisoformat(when[:10])
    return (day - timedelta(days=day.weekday())).isoformat()


def _day(when: str | None) -> str | None:
    return when[:10] if when else None


def _rep(call: CallSummary) -> str:
    return call.rep or NO_REP


def rep_stats(calls: Sequence[CallSummary]) -> tuple[RepStats, ...]:
    """Aggregates per rep, reps in name order."""
    by_rep: dict[str, list[CallSummary]] = defaultdict(list)
    for call in calls:
        by_rep[_rep(call)].append(call)
    out = []
    for rep in sorted(by_rep):
        mine = by_rep[rep]
        ratios = [c.talk_ratio for c in mine if c.talk_ratio is not None]
        spin: Counter[str] = Counter()
        for call in mine:
            spin.update({k: call.spin.get(k, 0) for k in SPIN_KINDS})
        out.append(
            RepStats(
                rep=rep,
                calls=len(mine),
                mean_score=fmean(score_of(c) for c in mine),
                pass_rate=sum(1 for c in mine if c.passed) / len(mine),
                mean_talk_ratio=fmean(ratios) if ratios else None,
                open_questions=sum(c.open_questions or 0 for c in mine),
                closed_questions=sum(c.closed_questions or 0 for c in mine),
                spin={k: spin[k] for k in SPIN_KINDS},
                stage_coverage=coverage_rates(mine),
            )
        )
    return tuple(out)


def coverage_rates(calls: Sequence[CallSummary]) -> dict[str, float]:
    """kind → share of the calls whose script has that stage that covered it."""
    had: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    for call in calls:
        for kind, done in call.stages.items():
            had[kind] += 1
            covered[kind] += bool(done)
    return {kind: covered[kind] / had[kind] for kind in _ordered(had)}


def _ordered(kinds: Iterable[str]) -> list[str]:
    rank = {kind: i for i, kind in enumerate(STAGE_ORDER)}
    return sorted(set(kinds), key=lambda k: (rank.get(k, len(rank)), k))


def score_trend(calls: Sequence[CallSummary]) -> tuple[TrendPoint, ...]:
    """Mean score per rep per ISO week, by rep then week."""
    cells: dict[tuple[str, str], list[float]] = defaultdict(list)
    for call in calls:
        if call.date:
            cells[(_rep(call), week_of(call.date))].append(score_of(call))
    return tuple(
        TrendPoint(rep, week, fmean(scores), len(scores))
        for (rep, week), scores in sorted(cells.items())
    )


def talk_points(calls: Sequence[CallSummary]) -> tuple[TalkPoint, ...]:
    return tuple(
        TalkPoint(c.id, c.date, _rep(c), c.talk_ratio)
        for c in calls
        if c.date and c.talk_ratio is not None
    )


def pick_highlights(
    calls: Sequence[CallSummary], count: int = HIGHLIGHTS
) -> tuple[list[CallSummary], list[CallSummary]]:
    """The best and worst calls by score (ties: the later call first); never the same call
    in both lists, and no call of the lower half among the best."""
    ranked = sorted(calls, key=lambda c: (score_of(c), c.date or "", c.id), reverse=True)
    best = ranked[: min(count, (len(ranked) + 1) // 2)]
    rest = ranked[len(best) :]
    worst = list(reversed(rest[-count:])) if rest else []
    return best, worst


def _utterance(card: Mapping[str, Any] | None, index: int) -> Mapping[str, Any] | None:
    for utterance in (card or {}).get("utterances") or []:
        if utterance.get("index") == index:
            return dict(utterance)
    return None


def evidence_moments(
    detail: CallDetail, *, passed: bool, limit: int = MOMENTS_PER_CALL
) -> tuple[Moment, ...]:
    """For each criterion that passed (or failed), heaviest first, its first piece of
    evidence not already shown for another criterion."""
    card = detail.scorecard or {}
    criteria = [c for c in card.get("criteria") or [] if bool(c.get("passed")) is passed]
    criteria.sort(key=lambda c: -float(c.get("max") or 0))
    out: list[Moment] = []
    shown: set[int] = set()
    for criterion in criteria:
        for evidence in criterion.get("evidence") or []:
            index = int(evidence.get("utterance", CALL))
            if index in shown:
                continue
            shown.add(index)
            said = _utterance(card, index)
            out.append(
                Moment(
                    call_id=detail.summary.id,
                    utterance=index,
                    start=evidence.get("start"),
                    speaker=said.get("speaker") if said else None,
                    text=str(evidence.get("text") or (said or {}).get("text") or ""),
                    why=str(criterion.get("label") or criterion.get("id")),
                )
            )
            break
        if len(out) >= limit:
            break
    return tuple(out)


def tagged_moments(
    pairs: Iterable[tuple[int, int]], details: Mapping[int, CallDetail]
) -> tuple[Moment, ...]:
    """Best-practice moments: a tagged utterance with its words, or a whole tagged call."""
    out = []
    for call_id, index in pairs:
        detail = details.get(call_id)
        if detail is None:
            continue
        said = _utterance(detail.scorecard, index) or _utterance(detail.transcript, index)
        out.append(
            Moment(
                call_id=call_id,
                utterance=index,
                start=said.get("start") if said else None,
                speaker=said.get("speaker") if said else None,
                text=str(said.get("text", "")) if said else "",
                why=BEST,
            )
        )
    return tuple(out)


def build_report(
    calls: Sequence[CallSummary],
    details: Mapping[int, CallDetail],
    best_practice: Sequence[tuple[int, int]] = (),
    *,
    scope: str = "",
    since: str | None = None,
    until: str | None = None,
    talk_band: tuple[float, float] = DEFAULT_TALK_BAND,
) -> ReportData:
    """The period report. ``details`` holds at least the highlighted calls (see
    ``pick_highlights``) and the calls of the best-practice moments."""
    chosen = scored(calls)
    best, worst = pick_highlights(chosen)

    def highlight(call: CallSummary, passed: bool) -> Highlight:
        detail = details.get(call.id)
        moments = evidence_moments(detail, passed=passed) if detail else ()
        return Highlight(call, score_of(call), moments)

    reps = rep_stats(chosen)
    kinds = _ordered(kind for call in chosen for kind in call.stages)
    bests = tuple(highlight(c, True) for c in best)
    worsts = tuple(highlight(c, False) for c in worst)
    tagged = tagged_moments(best_practice, details)
    return ReportData(
        scope=scope,
        since=since,
        until=until,
        calls=tuple(chosen),
        reps=reps,
        trend=score_trend(chosen),
        talk=talk_points(chosen),
        stages=tuple(kinds),
        coverage={r.rep: r.stage_coverage for r in reps},
        best=bests,
        worst=worsts,
        best_practice=tagged,
        talk_band=talk_band,
        transcripts=linked_transcripts(
            [*(h.moments for h in bests + worsts), tagged],
            [h.call for h in bests + worsts],
            details,
        ),
    )


def linked_transcripts(
    moment_groups: Iterable[Iterable[Moment]],
    calls: Iterable[CallSummary],
    details: Mapping[int, CallDetail],
) -> tuple[CallTranscript, ...]:
    """The whole words of every call a moment points at, in the order first pointed at."""
    marked: dict[int, set[int]] = {}
    for group in moment_groups:
        for moment in group:
            marked.setdefault(moment.call_id, set()).add(moment.utterance)
    order = list(dict.fromkeys([c.id for c in calls] + list(marked)))
    out = []
    for call_id in order:
        detail = details.get(call_id)
        if detail is None:
            continue
        source = detail.scorecard or detail.transcript or {}
        lines = tuple(
            Line(
                index=int(u.get("index", n)),
                start=u.get("start"),
                speaker=str(u.get("speaker", "")),
                text=str(u.get("text", "")),
                marked=int(u.get("index", n)) in marked.get(call_id, set()),
            )
            for n, u in enumerate(source.get("utterances") or [])
        )
        if lines:
            out.append(CallTranscript(detail.summary, lines))
    return tuple(out)


def build_call_report(
    detail: CallDetail, *, talk_band: tuple[float, float] = DEFAULT_TALK_BAND
) -> CallReport:
    card = detail.scorecard or {}
    comments = tuple(
        ("call" if c.utterance == CALL else f"#{c.utterance}", c.author, c.body)
        for c in detail.comments
    )
    pairs = [(t.call_id, t.utterance) for t in detail.tags if t.tag == BEST]
    return CallReport(
        summary=detail.summary,
        score=score_of(detail.summary),
        criteria=tuple(card.get("criteria") or ()),
        metrics=dict(card.get("metrics") or {}),
        stages=tuple(card.get("stages") or ()),
        comments=comments,
        best_practice=tagged_moments(pairs, {detail.summary.id: detail}),
        talk_band=talk_band,
    )


def talk_band_of(rubric: Rubric) -> tuple[float, float] | None:
    """The target band of a rubric's talk-ratio criterion (open ends as 0 and 1)."""
    for criterion in rubric.criteria:
        if criterion.metric == "rep_talk_ratio" and criterion.target is not None:
            low = criterion.target.min if criterion.target.min is not None else 0.0
            high = criterion.target.max if criterion.target.max is not None else 1.0
            return (float(low), float(high))
    return None
