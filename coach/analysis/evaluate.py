"""Measure the analysis against labelled calls (the shared/data/dev format).

Three input variants: the JSON as given, the same call as timestamped plain text, and
plain text lowercased with all punctuation removed (what speech recognition gives).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from coach.analysis.transcript import Role, Transcript, Utterance, parse_text
from coach.errors import TranscriptError

VARIANTS = ("json", "text", "asr")
_ASR_DROP = re.compile(r"[^\w\s'’-]|(?<!\w)[-'’]|[-'’](?!\w)|_")


@dataclass(frozen=True)
class GoldQuestion:
    start: int
    end: int
    form: str
    spin: str | None


@dataclass(frozen=True)
class LabelledCall:
    path: Path
    language: str
    transcript: Transcript  # the JSON as given
    questions: tuple[tuple[GoldQuestion, ...], ...]  # per utterance
    stages: tuple[tuple[str, ...], ...]  # per utterance
    covered: frozenset[str]
    rep_talk_ratio: float


def asr_form(text: str) -> tuple[str, list[int]]:
    """Lowercase, punctuation removed, spaces collapsed; and old→new character offsets."""
    out: list[str] = []
    mapping: list[int] = []
    dropped = _ASR_DROP.sub(lambda m: " " * len(m.group()), text)
    previous_space = True
    for char in dropped:
        mapping.append(len(out))
        if char.isspace():
            if not previous_space:
                out.append(" ")
            previous_space = True
        else:
            out.append(char.lower())
            previous_space = False
    mapping.append(len(out))
    new = "".join(out).rstrip()
    return new, [min(m, len(new)) for m in mapping]


def load_labelled(path: Path) -> LabelledCall:
    data = json.loads(path.read_text(encoding="utf-8"))
    utterances = []
    questions = []
    stages = []
    for index, item in enumerate(data["utterances"]):
        text = item["text"]
        utterances.append(
            Utterance(
                index=index,
                speaker=Role(item["speaker"]),
                text=text,
                start=item.get("start"),
                end=item.get("end"),
            )
        )
        gold = []
        for q in item.get("questions", []):
            at = text.find(q["text"])
            if at < 0:
                raise TranscriptError(
                    f"gold question not in utterance {index}: {q['text']!r}", file=path
                )
            gold.append(GoldQuestion(at, at + len(q["text"]), q["form"], q["spin"]))
        questions.append(tuple(gold))
        stages.append(tuple(item.get("stages", [])))
    transcript = Transcript(
        utterances=tuple(utterances),
        language=data.get("language", "en"),
        title=data.get("title"),
        source=str(path),
    )
    rep = sum(u.duration for u in utterances if u.speaker is Role.rep)
    client = sum(u.duration for u in utterances if u.speaker is Role.client)
    return LabelledCall(
        path=path,
        language=transcript.language,
        transcript=transcript,
        questions=tuple(questions),
        stages=tuple(stages),
        covered=frozenset(data.get("gold_stages_covered", [])),
        rep_talk_ratio=rep / (rep + client) if rep + client else 0.0,
    )


def _clock(seconds: float) -> str:
    whole = int(seconds)
    ms = round((seconds - whole) * 1000)
    if ms == 1000:
        whole, ms = whole + 1, 0
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{ms:03d}"


def as_text(call: LabelledCall, *, asr: bool = False) -> str:
    """The call in FORMATS.md §1.1 form, with [start - end] ranges (optionally ASR-like)."""
    lines = [f"# language: {call.language}"]
    for u in call.transcript.utterances:
        body = asr_form(u.text)[0] if asr else u.text
        label = "Rep" if u.speaker is Role.rep else "Client"
        if u.start is not None and u.end is not None:
            lines.append(f"[{_clock(u.start)} - {_clock(u.end)}] {label}: {body}")
        else:
            lines.append(f"{label}: {body}")
    return "\n".join(lines) + "\n"


def variant(call: LabelledCall, name: str) -> tuple[Transcript, list[tuple[GoldQuestion, ...]]]:
    """The call's transcript in one input variant, with gold question spans mapped to it."""
    if name == "json":
        return call.transcript, list(call.questions)
    if name == "text":
        return parse_text(as_text(call), str(call.path)), list(call.questions)
    if name == "asr":
        transcript = parse_text(as_text(call, asr=True), str(call.path))
        mapped = []
        for utterance, gold in zip(call.transcript.utterances, call.questions, strict=True):
            _, offsets = asr_form(utterance.text)
            mapped.append(
                tuple(GoldQuestion(offsets[q.start], offsets[q.end], q.form, q.spin) for q in gold)
            )
        return transcript, mapped
    raise ValueError(name)


# --- scoring ------------------------------------------------------------------------
@dataclass
class Tally:
    """Counts that add up across calls; rates are computed at the end."""

    detected: int = 0
    gold: int = 0
    matched: int = 0
    form_right: int = 0
    spin_right: int = 0
    stage_f1: list[float] = field(default_factory=list)
    ratio_errors: list[float] = field(default_factory=list)
    confusions: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (kind "missed" or "extra", file, utterance index, words) for questions found wrongly
    slips: list[tuple[str, str, int, str]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.detected += other.detected
        self.gold += other.gold
        self.matched += other.matched
        self.form_right += other.form_right
        self.spin_right += other.spin_right
        self.stage_f1 += other.stage_f1
        self.ratio_errors += other.ratio_errors
        self.confusions += other.confusions
        self.slips += other.slips

    def rates(self) -> dict[str, float | None]:
        precision = self.matched / self.detected if self.detected else None
        recall = self.matched / self.gold if self.gold else None
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision and recall
            else (0.0 if self.gold else None)
        )
        return {
            "question_precision": precision,
            "question_recall": recall,
            "question_f1": f1,
            "form_accuracy": self.form_right / self.matched if self.matched else None,
            "spin_accuracy": self.spin_right / self.matched if self.matched else None,
            "stage_f1": sum(self.stage_f1) / len(self.stage_f1) if self.stage_f1 else None,
            "talk_ratio_mae": (
                sum(self.ratio_errors) / len(self.ratio_errors) if self.ratio_errors else None
            ),
        }


def match_spans(
    detected: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Pairs (detected index, gold index) overlapping by at least half the shorter span."""
    candidates = []
    for d, (ds, de) in enumerate(detected):
        for g, (gs, ge) in enumerate(gold):
            overlap = min(de, ge) - max(ds, gs)
            shorter = max(1, min(de - ds, ge - gs))
            if overlap >= 0.5 * shorter:
                candidates.append((overlap / max(1, max(de - ds, ge - gs)), d, g))
    pairs = []
    used_d: set[int] = set()
    used_g: set[int] = set()
    for _, d, g in sorted(candidates, reverse=True):
        if d not in used_d and g not in used_g:
            pairs.append((d, g))
            used_d.add(d)
            used_g.add(g)
    return pairs


def set_f1(predicted: Iterable[str], gold: Iterable[str]) -> float:
    p, g = set(predicted), set(gold)
    if not p and not g:
        return 1.0
    tp = len(p & g)
    return 2 * tp / (len(p) + len(g)) if p or g else 1.0


Analyser = Callable[[Transcript], Any]


def question_tally(
    transcript: Transcript,
    gold: Sequence[Sequence[GoldQuestion]],
    questions: Sequence[Sequence[Any]],
) -> Tally:
    """Questions detected, wanted and matched in the rep's turns, as ``coach eval`` counts
    them: what the learned models' cross-validation compares."""
    tally = Tally()
    for utterance, wanted, found in zip(transcript.utterances, gold, questions, strict=True):
        if utterance.speaker is not Role.rep:
            continue
        tally.detected += len(found)
        tally.gold += len(wanted)
        tally.matched += len(
            match_spans([(q.start, q.end) for q in found], [(g.start, g.end) for g in wanted])
        )
    return tally


class _WithQuestions(Protocol):
    """A labelled call with the rules' questions: what a model's cross-validation holds."""

    @property
    def transcript(self) -> Transcript: ...

    @property
    def gold(self) -> Sequence[Sequence[GoldQuestion]]: ...

    @property
    def found(self) -> Sequence[Sequence[Any]]: ...


def compare_questions(
    calls: Sequence[_WithQuestions], revised: Callable[[int], Sequence[Sequence[Any]]]
) -> dict[str, float]:
    """Question F1 of the rules' questions (each call's ``found``) and of ``revised(n)`` for
    call n, overall and per language ("rules:all", "model:ru", …): a model's
    leave-one-call-out measure."""
    totals: dict[str, Tally] = {}
    for n, call in enumerate(calls):
        model = revised(n)
        for key in ("all", call.transcript.language):
            for name, questions in (("rules", call.found), ("model", model)):
                totals.setdefault(f"{name}:{key}", Tally()).add(
                    question_tally(call.transcript, call.gold, questions)
                )
    return {key: tally.rates()["question_f1"] or 0.0 for key, tally in sorted(totals.items())}


def score_call(call: LabelledCall, name: str, analyse: Analyser) -> Tally:
    """Compare one call's analysis (in one variant) with its gold labels."""
    transcript, gold = variant(call, name)
    analysis = analyse(transcript)
    tally = Tally()
    for utterance, gold_questions in zip(transcript.utterances, gold, strict=True):
        if utterance.speaker is not Role.rep:
            continue
        found = analysis.questions_in(utterance.index)
        tally.detected += len(found)
        tally.gold += len(gold_questions)
        pairs = match_spans(
            [(q.start, q.end) for q in found], [(q.start, q.end) for q in gold_questions]
        )
        tally.matched += len(pairs)
        matched_found = {d for d, _ in pairs}
        matched_gold = {g for _, g in pairs}
        for g, want in enumerate(gold_questions):
            if g not in matched_gold:
                words = utterance.text[want.start : want.end].strip()
                tally.slips.append(("missed", call.path.name, utterance.index, words))
        for d, q in enumerate(found):
            if d not in matched_found:
                tally.slips.append(("extra", call.path.name, utterance.index, q.text))
        for d, g in pairs:
            q, want = found[d], gold_questions[g]
            tally.form_right += q.form.value == want.form
            spin = q.spin.value if q.spin else None
            tally.spin_right += spin == want.spin
            if spin != want.spin:
                tally.confusions.append((str(want.spin), str(spin), call.path.name, q.text))
    tally.stage_f1.append(set_f1(analysis.covered_kinds(), call.covered))
    if analysis.metrics.rep_talk_ratio is not None:
        tally.ratio_errors.append(abs(analysis.metrics.rep_talk_ratio - call.rep_talk_ratio))
    return tally


# --- the report `coach eval` prints ----------------------------------------------------
TARGETS = {
    "question_f1": 0.95,
    "form_accuracy": 0.90,
    "spin_accuracy": 0.85,
    "stage_f1": 0.90,
}
ASR_TARGETS = {"question_f1": 0.90}
COLUMNS = [
    ("question_precision", "Q prec"),
    ("question_recall", "Q rec"),
    ("question_f1", "Q F1"),
    ("form_accuracy", "open/closed"),
    ("spin_accuracy", "SPIN"),
    ("stage_f1", "stage F1"),
    ("talk_ratio_mae", "talk MAE"),
]


@dataclass
class EvalReport:
    files: int
    rows: dict[tuple[str, str], Tally]  # (variant, language or "all") → tally

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "results": [
                {"variant": v, "language": lang, "questions": t.gold, **t.rates()}
                for (v, lang), t in self.rows.items()
            ],
            "targets": TARGETS,
            "asr_targets": ASR_TARGETS,
        }

    def table(self) -> str:
        header = f"{'variant':<8}{'lang':<6}{'calls':>6}{'gold Q':>8}" + "".join(
            f"{title:>12}" for _, title in COLUMNS
        )
        lines = [header, "-" * len(header)]
        for (name, lang), tally in self.rows.items():
            rates = tally.rates()
            cells = []
            for key, _ in COLUMNS:
                value = rates[key]
                target = TARGETS.get(key)
                if name == "asr":
                    target = ASR_TARGETS.get(key, target)
                mark = "" if target is None or value is None else ("" if value >= target else "*")
                cells.append(f"{'—' if value is None else f'{value:.3f}'}{mark:>1}".rjust(12))
            lines.append(
                f"{name:<8}{lang:<6}{len(tally.stage_f1):>6}{tally.gold:>8}" + "".join(cells)
            )
        lines.append("")
        lines.append(
            "targets: question F1 ≥ 0.95 (≥ 0.90 asr), open/closed ≥ 0.90, "
            "SPIN ≥ 0.85, stage F1 ≥ 0.90, talk ratio exact; * = below target"
        )
        return "\n".join(lines) + "\n"

    def confusion_text(self) -> str:
        from collections import Counter

        lines = ["", "SPIN confusions (gold → predicted), json variant:"]
        counts: Counter[tuple[str, str]] = Counter()
        examples: dict[tuple[str, str], str] = {}
        for (name, lang), tally in self.rows.items():
            if name != "json" or lang != "all":
                continue
            for gold, predicted, file, text in tally.confusions:
                counts[(gold, predicted)] += 1
                examples.setdefault((gold, predicted), f"{file}: {text}")
        for (gold, predicted), n in counts.most_common():
            lines.append(
                f"  {gold:>12} → {predicted:<12} {n:>3}   e.g. {examples[(gold, predicted)]}"
            )
        return "\n".join(lines) + "\n"


def slips_text(report: EvalReport) -> str:
    """Every question missed or found wrongly, per input variant: where to look first
    when writing cues for a new language or industry."""
    lines = []
    for (name, lang), tally in report.rows.items():
        if lang != "all" or not tally.slips:
            continue
        missed = sum(kind == "missed" for kind, *_ in tally.slips)
        lines += [
            "",
            f"Questions missed ({missed}) and found wrongly "
            f"({len(tally.slips) - missed}), {name} variant:",
        ]
        for kind, file, index, words in sorted(tally.slips, key=lambda s: (s[1], s[2], s[0])):
            lines.append(f"  {kind:<6} {file} #{index}: {words}")
    return "\n".join(lines) + "\n" if lines else ""


def run_eval(
    paths: Sequence[Path],
    variants: Sequence[str],
    *,
    classifier: str = "hybrid",
    labeller: Any = None,
) -> EvalReport:
    """Score every labelled call in every variant; rows per language and overall.

    ``labeller`` (a ``coach.analysis.analyse.Labeller``) labels questions for "llm".
    """
    from functools import partial

    from coach.analysis.analyse import analyse as analyse_with

    analyse = partial(analyse_with, classifier=classifier, labeller=labeller)

    calls = [load_labelled(p) for p in paths if p.suffix == ".json"]
    rows: dict[tuple[str, str], Tally] = {}
    languages = sorted({c.language for c in calls})
    for name in variants:
        if name not in VARIANTS:
            raise TranscriptError(f"unknown variant '{name}' (use {', '.join(VARIANTS)})")
        per_language = {lang: Tally() for lang in languages}
        for call in calls:
            per_language[call.language].add(score_call(call, name, analyse))
        overall = Tally()
        for lang in languages:
            rows[(name, lang)] = per_language[lang]
            overall.add(per_language[lang])
        rows[(name, "all")] = overall
    return EvalReport(len(calls), rows)
