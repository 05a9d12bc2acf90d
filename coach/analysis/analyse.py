"""The analysis pipeline: a transcript (and optionally its script) in, an Analysis out.

Pure: nothing is printed or stored; the CLI and TUI decide what to do with the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from coach.analysis import metrics as metrics_module
from coach.analysis.joined_model import revise as join_split_questions
from coach.analysis.metrics import Metrics
from coach.analysis.questions import Question, ScriptQuestion, find_questions, rhetorical_questions
from coach.analysis.rhetoric_model import revise as drop_rhetorical
from coach.analysis.spin_model import around, load_model
from coach.analysis.spoken_model import revise as drop_unasked
from coach.analysis.stage_model import load_model as load_stage_model
from coach.analysis.stages import Coverage, StageEvidence, coverage, label_stages, objection_hits
from coach.analysis.transcript import Role, Transcript
from coach.analysis.turn_model import revise as revise_turn_ends
from coach.scripts.model import QuestionForm, Script, Spin, StageKind


@dataclass(frozen=True)
class ObjectionMoment:
    utterance: int
    category: str
    trigger: str
    handled: bool  # the rep answered with something other than giving up


@dataclass(frozen=True)
class Analysis:
    """What happened in one call."""

    transcript: Transcript
    questions: tuple[tuple[Question, ...], ...]  # per utterance (client: empty)
    stages: tuple[tuple[StageEvidence, ...], ...]  # per utterance
    coverage: tuple[Coverage, ...]
    metrics: Metrics
    objections: tuple[ObjectionMoment, ...]
    script: Script | None = None
    # per utterance, the questions the rep only made a point with, in order: not counted
    # as asked ("Who doesn't want a new truck?"); a lead may coach them into real questions
    rhetorical: tuple[tuple[str, ...], ...] = ()

    def questions_in(self, index: int) -> tuple[Question, ...]:
        return self.questions[index]

    def stage_kinds(self, index: int) -> list[StageKind]:
        return [e.kind for e in self.stages[index]]

    def covered_kinds(self) -> list[str]:
        return [c.kind.value for c in self.coverage if c.covered]

    def covered(self, kind: StageKind) -> Coverage | None:
        return next((c for c in self.coverage if c.kind is kind and c.covered), None)


def script_questions(script: Script | None) -> tuple[ScriptQuestion, ...]:
    if script is None:
        return ()
    return tuple(
        ScriptQuestion(q.text, q.form, q.spin)
        for stage in script.stages
        for q in stage.questions
        if "{{" not in q.text
    )


CLASSIFIERS = ("hybrid", "rules", "llm")


@dataclass(frozen=True)
class QuestionToLabel:
    """A question the rules found, for a second opinion (``context``: the client's last line)."""

    text: str
    context: str = ""


Label = tuple[QuestionForm, Spin | None]


@dataclass(frozen=True)
class QuestionLabels:
    """A labeller's answer: one label per question, None where it failed; ``problem`` says why."""

    labels: tuple[Label | None, ...]
    problem: str | None = None


# (questions, language) -> labels; e.g. coach.llm.classify.LLMQuestionLabeller
Labeller = Callable[[Sequence[QuestionToLabel], str], QuestionLabels]


def _labelled_by(
    transcript: Transcript, questions: tuple[tuple[Question, ...], ...], labeller: Labeller | None
) -> tuple[tuple[tuple[Question, ...], ...], list[str]]:
    """Questions relabelled by an injected labeller; the ones it fails keep their labels."""
    places: list[tuple[int, int]] = []
    asked: list[QuestionToLabel] = []
    last_client = ""
    for utterance, found in zip(transcript.utterances, questions, strict=True):
        if utterance.speaker is Role.client:
            last_client = utterance.text
        for n, question in enumerate(found):
            if not question.from_script:  # the script's own questions carry known labels
                places.append((utterance.index, n))
                asked.append(QuestionToLabel(question.text, last_client))
    if not asked:
        return questions, []
    if labeller is None:
        return questions, ["classifier llm: no LLM labeller was given; hybrid labels kept"]
    answer = labeller(asked, transcript.language)
    labels = list(answer.labels) + [None] * (len(asked) - len(answer.labels))
    out = [list(found) for found in questions]
    failed = 0
    for (index, n), label in zip(places, labels, strict=False):
        if label is None:
            failed += 1
            continue
        form, spin = label
        question = out[index][n]
        out[index][n] = replace(
            question, form=form, spin=spin, evidence=(*question.evidence, "llm")
        )
    warnings = []
    if failed:
        why = f" ({answer.problem})" if answer.problem else ""
        warnings.append(
            f"classifier llm: {failed} of {len(asked)} question(s) kept the hybrid labels{why}"
        )
    return tuple(tuple(found) for found in out), warnings


def _second_opinion(
    transcript: Transcript,
    questions: tuple[tuple[Question, ...], ...],
    evidence: Sequence[Sequence[StageEvidence]],
) -> tuple[tuple[Question, ...], ...] | None:
    """The learned model's SPIN labels; None when it agrees everywhere (or is absent)."""
    model = load_model()
    if model is None:
        return None
    count = max(1, len(transcript.utterances))
    context = iter(around([q for found in questions for q in found]))
    judged: list[tuple[int, int]] = []  # (utterance, question) the model labels
    rows: list[list[int]] = []  # each question's weight rows
    for utterance, found, items in zip(transcript.utterances, questions, evidence, strict=True):
        kinds = [e.kind for e in items]
        for n, question in enumerate(found):
            neighbours = next(context)
            if question.from_script:  # the script's own questions carry known labels
                continue
            judged.append((utterance.index, n))
            place = utterance.index / count
            rows.append(model.rows(question, transcript.language, kinds, place, neighbours))
    out = [list(found) for found in questions]
    changed = False
    for (index, n), spin in zip(judged, model.predict_rows(rows), strict=True):
        question = out[index][n]
        if spin is not question.spin:
            changed = True
            out[index][n] = replace(question, spin=spin, evidence=(*question.evidence, "model"))
    return tuple(tuple(found) for found in out) if changed else None


def _stage_opinion(
    transcript: Transcript,
    questions: tuple[tuple[Question, ...], ...],
    evidence: Sequence[Sequence[StageEvidence]],
    kinds: Sequence[Sequence[StageKind]],
) -> list[list[StageEvidence]]:
    """The learned stage model decides each utterance's stages from the rules' evidence,
    the words and the flow of the call; the rules' reasons are kept where they agree."""
    model = load_stage_model()
    if model is None:
        return [list(items) for items in evidence]
    out = []
    decided = model.decide_call(transcript, questions, kinds)
    for items, chosen in zip(evidence, decided, strict=True):
        # a line of the script, or the client voicing a known objection ("дороговато"), is
        # stronger evidence than anything learned
        # str() of a StrEnum is its value, without the Python-level Enum.value lookup
        kept = [e for e in items if str(e.kind) in chosen or e.decisive]
        have = {str(e.kind) for e in kept}
        if any(e.decisive and e.kind is StageKind.teaser for e in kept):
            # an offer that ends by calling the client to act is the teaser; the close
            # comes after the objections (2 of 665 labelled teaser turns are also a close)
            have.add(StageKind.close.value)
        kept += [_LEARNED[k] for k in sorted(chosen) if k not in have]
        out.append(kept)
    return out


# the evidence the stage model adds, one per stage kind (frozen: shared by every call)
_LEARNED = {k.value: StageEvidence(k, 0.6, "learned from the call's flow") for k in StageKind}


def analyse(
    transcript: Transcript,
    script: Script | None = None,
    *,
    classifier: str = "hybrid",
    labeller: Labeller | None = None,
) -> Analysis:
    """Questions, stages, objections and metrics of one call.

    ``classifier`` "hybrid" lets the learned model revise the rules' SPIN labels
    (``coach/analysis/spin_model.py``); "rules" keeps the rules' labels; "llm" asks
    ``labeller`` for each question's form and SPIN type on top of hybrid, keeping the
    hybrid labels (with a warning) wherever it fails.
    """
    if classifier not in CLASSIFIERS:
        raise ValueError(f"classifier must be one of {CLASSIFIERS}")
    known = script_questions(script)
    questions = tuple(
        tuple(find_questions(u.text, transcript.language, known)) if u.speaker is Role.rep else ()
        for u in transcript.utterances
    )
    if classifier in ("hybrid", "llm"):
        # without punctuation, the client's reply says whether a turn ended by asking
        questions = revise_turn_ends(transcript, questions)
        # and one question the rules split at a second opening is one again
        questions = join_split_questions(transcript, questions)
    evidence, relabelled = label_stages(transcript, questions, script)
    questions = tuple(relabelled)
    if classifier in ("hybrid", "llm"):
        # the models read the rules' analysis, as they were trained to
        rule_kinds = [[e.kind for e in items] for items in evidence]
        decided = _stage_opinion(transcript, questions, evidence, rule_kinds)
        revised = _second_opinion(transcript, questions, evidence)
        if revised is not None:
            questions = revised
        kept = drop_rhetorical(transcript, questions, rule_kinds)
        dropped = [
            [q for q in before if q not in after]
            for before, after in zip(questions, kept, strict=True)
        ]
        # without punctuation, openings the rules took for questions that were not asked
        questions = drop_unasked(transcript, kept, rule_kinds)
        evidence = decided
    else:
        dropped = [[] for _ in transcript.utterances]
    if classifier == "llm":
        questions, warnings = _labelled_by(transcript, questions, labeller)
        if warnings:
            transcript = replace(transcript, warnings=(*transcript.warnings, *warnings))
    stages = tuple(tuple(items) for items in evidence)
    kinds = [[e.kind for e in items] for items in evidence]
    moments = []
    for u in transcript.utterances:
        if u.speaker is not Role.client:
            continue
        if StageKind.objection not in kinds[u.index]:
            continue
        hits = objection_hits(u.text, transcript.language, script)
        if not hits:
            continue
        following = next(
            (v for v in transcript.utterances[u.index + 1 :] if v.speaker is Role.rep), None
        )
        handled = following is not None and (
            bool(questions[following.index]) or StageKind.objection in kinds[following.index]
        )
        moments.append(ObjectionMoment(u.index, hits[0][0], hits[0][1], handled))
    rhetorical = _rhetorical(transcript, dropped)
    return Analysis(
        transcript=transcript,
        questions=questions,
        stages=stages,
        coverage=tuple(coverage(transcript, evidence, script)),
        metrics=metrics_module.compute(
            transcript, questions, kinds, rhetorical=sum(map(len, rhetorical))
        ),
        objections=tuple(moments),
        script=script,
        rhetorical=rhetorical,
    )


def _rhetorical(
    transcript: Transcript, dropped: Sequence[Sequence[Question]]
) -> tuple[tuple[str, ...], ...]:
    """Per utterance, the rhetorical questions: those the rules' cues leave out and those
    the learned model dropped, in the order they were said."""
    out: list[tuple[str, ...]] = []
    for utterance, gone in zip(transcript.utterances, dropped, strict=True):
        if utterance.speaker is not Role.rep:
            out.append(())
            continue
        spans = [(q.start, q.text) for q in gone]
        spans += [
            (a, utterance.text[a:b])
            for a, b in rhetorical_questions(utterance.text, transcript.language)
        ]
        out.append(tuple(text for _, text in sorted(spans)))
    return tuple(out)
