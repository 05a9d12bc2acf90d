"""The analysis pipeline: a transcript (and optionally its script) in, an Analysis out.

Pure: nothing is printed or stored; the CLI and TUI decide what to do with the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.analysis import metrics as metrics_module
from coach.analysis.metrics import Metrics
from coach.analysis.questions import Question, ScriptQuestion, find_questions
from coach.analysis.stages import Coverage, StageEvidence, coverage, label_stages, objection_hits
from coach.analysis.transcript import Role, Transcript
from coach.scripts.model import Script, StageKind


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


def analyse(transcript: Transcript, script: Script | None = None) -> Analysis:
    """Questions, stages, objections and metrics of one call."""
    known = script_questions(script)
    questions = tuple(
        tuple(find_questions(u.text, transcript.language, known)) if u.speaker is Role.rep else ()
        for u in transcript.utterances
    )
    evidence, relabelled = label_stages(transcript, questions, script)
    questions = tuple(relabelled)
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
    return Analysis(
        transcript=transcript,
        questions=questions,
        stages=stages,
        coverage=tuple(coverage(transcript, evidence, script)),
        metrics=metrics_module.compute(transcript, questions, kinds),
        objections=tuple(moments),
        script=script,
    )
