"""Score an Analysis against a Rubric: per criterion a score, a sentence and evidence.

Every point can be checked: evidence names utterances, times and the words said.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coach.analysis.analyse import Analysis
from coach.analysis.rubric import Check, Criterion, Rubric
from coach.analysis.transcript import Role
from coach.lexicon import cue_tuple, find_cue
from coach.scripts.model import Spin, StageKind
from coach.text import split_sentences

MAX_EVIDENCE = 5
SKELETON_ORDER = [
    StageKind.compliance,
    StageKind.greeting,
    StageKind.small_talk,
    StageKind.qualification,
    StageKind.situation,
    StageKind.problem,
    StageKind.implication,
    StageKind.need_payoff,
    StageKind.teaser,
    StageKind.close,
]


@dataclass(frozen=True)
class Evidence:
    utterance: int
    start: float | None
    text: str


@dataclass(frozen=True)
class CriterionResult:
    id: str
    label: str
    score: float | None  # None: could not be measured on this call
    max: float
    passed: bool | None
    detail: str
    evidence: tuple[Evidence, ...]
    severity: str


@dataclass(frozen=True)
class Result:
    fraction: float | None  # 0–1 of the criterion's points; None = not measurable
    passed: bool | None
    detail: str
    evidence: tuple[Evidence, ...] = ()


def _quote(analysis: Analysis, index: int, text: str | None = None) -> Evidence:
    utterance = analysis.transcript.utterances[index]
    said = text if text is not None else utterance.text
    if len(said) > 160:
        said = said[:157] + "…"
    return Evidence(index, utterance.start, said)


def _band_text(criterion: Criterion, scale: float = 1.0, unit: str = "") -> str:
    band = criterion.target
    assert band is not None

    def f(value: float) -> str:
        return f"{value * scale:g}{unit}"

    if band.min is not None and band.max is not None:
        return f"target {band.min * scale:g}–{f(band.max)}"
    if band.min is not None:
        return f"target ≥ {f(band.min)}"
    assert band.max is not None
    return f"target ≤ {f(band.max)}"


def _band_fraction(value: float, criterion: Criterion) -> tuple[float, bool]:
    band = criterion.target
    assert band is not None
    below = band.min - value if band.min is not None and value < band.min else 0.0
    above = value - band.max if band.max is not None and value > band.max else 0.0
    distance = max(below, above)
    if distance <= 0:
        return 1.0, True
    if not criterion.tolerance:
        return 0.0, False
    return max(0.0, 1.0 - distance / criterion.tolerance), False


def _metric_evidence(analysis: Analysis, metric: str) -> tuple[Evidence, ...]:
    utterances = analysis.transcript.utterances
    if metric.startswith("spin_counts."):
        spin = Spin(metric.split(".", 1)[1])
        return tuple(
            _quote(analysis, i, q.text)
            for i, found in enumerate(analysis.questions)
            for q in found
            if q.spin is spin
        )[:MAX_EVIDENCE]
    if metric in ("rep_questions", "open_questions", "closed_questions", "open_question_share"):
        want = {"open_questions": "open", "closed_questions": "closed"}.get(metric)
        return tuple(
            _quote(analysis, i, q.text)
            for i, found in enumerate(analysis.questions)
            for q in found
            if want is None or q.form.value == want
        )[:MAX_EVIDENCE]
    if metric in ("longest_rep_monologue_s", "pitch_before_first_reply_s", "longest_pitch_s"):
        rep = [u for u in utterances if u.speaker is Role.rep]
        longest = max(rep, key=lambda u: u.duration, default=None)
        return (_quote(analysis, longest.index),) if longest else ()
    if metric == "longest_client_monologue_s":
        client = [u for u in utterances if u.speaker is Role.client]
        longest = max(client, key=lambda u: u.duration, default=None)
        return (_quote(analysis, longest.index),) if longest else ()
    if metric == "filler_rate":
        fillers = cue_tuple(analysis.transcript.language, "fillers")
        return tuple(
            _quote(analysis, u.index)
            for u in utterances
            if u.speaker is Role.rep and find_cue(u.text, fillers)
        )[:MAX_EVIDENCE]
    return ()


_METRIC_WORDS: dict[str, tuple[str, float, str]] = {
    # metric: (how to say it, scale, unit)
    "rep_talk_ratio": ("rep talked {v} of the time", 100, " %"),
    "open_question_share": ("{v} of the questions were open", 100, " %"),
    "rep_questions": ("{v} questions asked", 1, ""),
    "open_questions": ("{v} open questions", 1, ""),
    "closed_questions": ("{v} closed questions", 1, ""),
    "longest_rep_monologue_s": ("longest rep monologue {v}", 1, " s"),
    "longest_client_monologue_s": ("longest client monologue {v}", 1, " s"),
    "pitch_before_first_reply_s": ("rep talked {v} before the client's first real answer", 1, " s"),
    "longest_pitch_s": ("longest pitch {v}", 1, " s"),
    "max_questions_in_a_row": ("at most {v} question(s) in a row without an answer", 1, ""),
    "time_to_first_question_s": ("first question after {v}", 1, " s"),
    "interactivity": ("{v} speaker switches a minute", 1, ""),
    "rep_words_per_minute": ("rep spoke {v} words a minute", 1, ""),
    "filler_rate": ("{v} filler words per 100", 1, ""),
    "questions_per_minute": ("{v} questions a minute", 1, ""),
    "duration_s": ("call lasted {v}", 1, " s"),
    "stages_covered": ("{v} required stages covered", 1, ""),
}


def _score_metric(analysis: Analysis, criterion: Criterion) -> Result:
    assert criterion.metric is not None
    value = _metric_value(analysis, criterion.metric)
    if value is None:
        reason = (
            "no timestamps in the transcript"
            if analysis.metrics.talk_basis == "words"
            else "nothing to measure in this call"
        )
        return Result(None, None, f"not measured: {reason}")
    fraction, passed = _band_fraction(value, criterion)
    if criterion.metric.startswith("spin_counts."):
        kind = criterion.metric.split(".", 1)[1].replace("_", "-")
        said, scale, unit = f"{{v}} {kind} questions", 1.0, ""
    else:
        said, scale, unit = _METRIC_WORDS.get(
            criterion.metric, (criterion.metric + " = {v}", 1, "")
        )
    shown = f"{value * scale:.0f}{unit}" if scale != 1 or value >= 10 else f"{value:g}{unit}"
    if scale == 1 and not float(value).is_integer():
        shown = f"{value:.1f}{unit}"
    detail = f"{said.format(v=shown)} ({_band_text(criterion, scale, unit)})"
    return Result(fraction, passed, detail, _metric_evidence(analysis, criterion.metric))


def _metric_value(analysis: Analysis, name: str) -> float | None:
    if name == "stages_covered":
        script = analysis.script
        wanted = [s.kind for s in script.stages if s.required] if script else list(SKELETON_ORDER)
        return float(sum(1 for kind in set(wanted) if analysis.covered(kind)))
    return analysis.metrics.get(name)


def _stage_covered(analysis: Analysis, criterion: Criterion) -> Result:
    assert criterion.stage is not None
    found = analysis.covered(criterion.stage)
    name = criterion.stage.value.replace("_", " ")
    if found is None:
        if criterion.stage is StageKind.objection and not _client_objected(analysis):
            return Result(None, None, "no objection was raised in this call")
        return Result(0.0, False, f"no {name} stage found")
    evidence = tuple(_quote(analysis, i) for i in found.utterances[:MAX_EVIDENCE])
    return Result(
        1.0,
        True,
        f"{name} at utterance {found.utterances[0]} (confidence {found.confidence:.0%})",
        evidence,
    )


def _client_objected(analysis: Analysis) -> bool:
    return bool(analysis.objections)


def _stages_in_order(analysis: Analysis, criterion: Criterion) -> Result:
    order = [s.kind for s in analysis.script.stages] if analysis.script else list(SKELETON_ORDER)
    firsts = []
    for kind in dict.fromkeys(order):
        if kind is StageKind.objection:
            continue  # objections may come anywhere
        found = analysis.covered(kind)
        if found is not None:
            firsts.append((order.index(kind), found.utterances[0], kind))
    if len(firsts) < 2:
        return Result(None, None, "too few stages to judge their order")
    pairs = list(itertools.pairwise(firsts))
    in_order = sum(1 for a, b in pairs if a[1] <= b[1])
    fraction = in_order / len(pairs)
    backwards = [(a[2].value, b[2].value) for a, b in pairs if a[1] > b[1]]
    detail = f"{in_order} of {len(pairs)} stage steps in the script's order"
    if backwards:
        detail += "; out of order: " + ", ".join(f"{b} before {a}" for a, b in backwards[:3])
    return Result(fraction, fraction >= 0.8, detail)


def _required_questions(analysis: Analysis, criterion: Criterion) -> Result:
    script = analysis.script
    if script is None:
        return Result(None, None, "needs --script: which questions are required")
    required = [q for s in script.stages for q in s.questions if q.required]
    if not required:
        return Result(None, None, "the script marks no question as required")
    asked = []
    evidence = []
    from rapidfuzz import fuzz

    from coach.lexicon import normalise

    for question in required:
        wanted = normalise(question.text)
        best: tuple[float, int, str] | None = None
        for index, found in enumerate(analysis.questions):
            for q in found:
                score = fuzz.token_set_ratio(wanted, normalise(q.text))
                if best is None or score > best[0]:
                    best = (score, index, q.text)
        if best is not None and best[0] >= 70:
            asked.append(question.text)
            evidence.append(_quote(analysis, best[1], best[2]))
    fraction = len(asked) / len(required)
    missing = [q.text for q in required if q.text not in asked]
    detail = f"{len(asked)} of {len(required)} required questions asked"
    if missing:
        detail += "; missing: " + "; ".join(f"«{m}»" for m in missing[:3])
    return Result(fraction, fraction >= 0.75, detail, tuple(evidence[:MAX_EVIDENCE]))


def _close_complete(analysis: Analysis, criterion: Criterion) -> Result:
    language = analysis.transcript.language
    close = analysis.covered(StageKind.close)
    if close is None:
        return Result(0.0, False, "no next step agreed (no close with a date or time)")
    texts = [(i, analysis.transcript.utterances[i].text) for i in close.utterances]
    rep_texts = [(i, t) for i, t in texts if analysis.transcript.utterances[i].speaker is Role.rep]
    parts = {
        "date/time": cue_tuple(language, "date_time"),
        "reminder": _reminder_cues(language),
        "written confirmation": _confirmation_cues(language),
    }
    found: dict[str, int] = {}
    for name, wanted in parts.items():
        for index, text in rep_texts or texts:
            if find_cue(text, wanted):
                found[name] = index
                break
    fraction = len(found) / len(parts)
    missing = [name for name in parts if name not in found]
    detail = "next step agreed with " + ", ".join(found) if found else "next step mentioned"
    if missing:
        detail += "; missing: " + ", ".join(missing)
    evidence = tuple(_quote(analysis, i) for i in dict.fromkeys(found.values()))
    return Result(fraction, not missing, detail, evidence)


def _reminder_cues(language: str) -> tuple[str, ...]:
    return cue_tuple(language, "stages", "reminder")


def _confirmation_cues(language: str) -> tuple[str, ...]:
    return cue_tuple(language, "stages", "confirmation")


def _teaser_cta(analysis: Analysis, criterion: Criterion) -> Result:
    language = analysis.transcript.language
    teaser = analysis.covered(StageKind.teaser)
    if teaser is None:
        return Result(0.0, False, "no pitch (teaser) found")
    wanted = cue_tuple(language, "call_to_action")
    key_step = analysis.script.key_step if analysis.script else None
    steps = cue_tuple(language, "key_steps", key_step) if key_step else ()
    for index in teaser.utterances:
        utterance = analysis.transcript.utterances[index]
        if utterance.speaker is not Role.rep:
            continue
        sentences = split_sentences(utterance.text, language) or [utterance.text]
        tail = " ".join(sentences[-2:])
        if find_cue(tail, wanted) or (steps and find_cue(tail, steps)):
            return Result(
                1.0,
                True,
                "the pitch ends with an invitation to the next step",
                (_quote(analysis, index, sentences[-1]),),
            )
    return Result(
        0.0,
        False,
        "the pitch does not end with a call to action",
        tuple(_quote(analysis, i) for i in teaser.utterances[:2]),
    )


_CHECKS: dict[Check, Callable[[Analysis, Criterion], Result]] = {
    Check.stage_covered: _stage_covered,
    Check.stages_in_order: _stages_in_order,
    Check.required_questions: _required_questions,
    Check.close_complete: _close_complete,
    Check.teaser_call_to_action: _teaser_cta,
}


def score_criteria(analysis: Analysis, rubric: Rubric) -> list[CriterionResult]:
    """Every criterion of the rubric, with points scaled so all maxima add up to 100."""
    total_weight = rubric.total_weight
    out = []
    for criterion in rubric.criteria:
        result = (
            _score_metric(analysis, criterion)
            if criterion.metric
            else _CHECKS[criterion.check](analysis, criterion)  # type: ignore[index]
        )
        top = round(100 * criterion.weight / total_weight, 2)
        score = None if result.fraction is None else round(top * result.fraction, 2)
        out.append(
            CriterionResult(
                criterion.id,
                criterion.label,
                score,
                top,
                result.passed,
                result.detail,
                result.evidence,
                criterion.severity.value,
            )
        )
    return out


def total(results: Sequence[CriterionResult]) -> float:
    """Points out of 100 over the criteria that could be measured on this call."""
    measured = [r for r in results if r.score is not None]
    possible = float(sum(r.max for r in measured))
    if not possible:
        return 0.0
    got = float(sum(r.score or 0.0 for r in measured))
    return round(100 * got / possible, 1)
