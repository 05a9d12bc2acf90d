"""A learned opinion on whether a question found in speech without punctuation was asked.

Without punctuation the rules find questions by their openings: a question word, an
inverted auxiliary, «а» with a question word, a short clause addressed to the client. Many
of those openings also start statements ("а чем старше машина, тем выше риск", "what we do
is…"). This logistic regression reads what the rhetorical-question model reads (the
question's words, its first and last words, whether the rep talks on, the turn's stage, the
client's reply) and how the rules found it, and drops the rules' questions it finds
unlikely to have been asked. The turn model decides the turn's end first; the questions it
added are its own call and are left alone.

Trained on the labelled calls without punctuation (``python -m coach.analysis.spoken_model
PATH...``); the weights are ``coach/analysis/data/spoken_model.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from coach.analysis import logistic, turn_model
from coach.analysis import rhetoric_model as written
from coach.analysis.logistic import Logistic, Schedule
from coach.analysis.questions import Question
from coach.analysis.transcript import Transcript
from coach.analysis.turn_model import LEARNED, written_without_punctuation
from coach.scripts.model import StageKind

MODEL_FILE = Path(__file__).resolve().parent / "data" / "spoken_model.json"
SCHEDULE = Schedule(epochs=20, learning_rate=0.1, l2=1e-3, seed=13)
DROP = 0.5  # probability of being asked below which a question is dropped

SpokenModel = Logistic


def features(
    text: str,
    question: Question,
    language: str,
    stages: Sequence[StageKind],
    reply: str | None,
) -> list[str]:
    """The rhetorical-question model's view of the question, and how the rules found it."""
    return [
        *written.features(text, question, language, stages, reply),
        f"found:{question.evidence[0]}",
    ]


def _judged(question: Question) -> bool:
    """The rules' own questions: not a line of the script, not the turn model's."""
    return not question.from_script and LEARNED not in question.evidence


@cache
def load_model(path: Path = MODEL_FILE) -> SpokenModel | None:
    """The bundled model, or None when the data file is absent (rules alone then)."""
    return logistic.load(path)


def train(examples: Sequence[tuple[list[str], bool]]) -> SpokenModel:
    return logistic.train(examples, SCHEDULE)


def save(model: SpokenModel, path: Path = MODEL_FILE) -> None:
    logistic.save(model, path)


def revise(
    transcript: Transcript,
    questions: tuple[tuple[Question, ...], ...],
    stages: Sequence[Sequence[StageKind]],
    model: SpokenModel | None = None,
) -> tuple[tuple[Question, ...], ...]:
    """In a call written without punctuation, the questions without those the model judges
    were not asked."""
    model = model or load_model()
    if model is None or not written_without_punctuation(transcript):
        return questions
    spoken = model

    def asked(
        text: str, question: Question, language: str, kinds: Sequence[StageKind], reply: str | None
    ) -> float:
        return spoken.probability(features(text, question, language, kinds, reply))

    return written.keep_asked(transcript, questions, stages, asked, judged=_judged, drop=DROP)


# --- training and measuring -----------------------------------------------------------
def _examples(
    paths: Sequence[Path],
) -> tuple[list[written.AnalysedCall], list[list[tuple[list[str], bool]]]]:
    calls = written.analysed_calls(paths, "asr")
    return calls, [written.question_examples(c, _judged, features) for c in calls]


def cross_validate(paths: Sequence[Path]) -> dict[str, float]:
    """Leave one call out: question F1 without punctuation after the turn model alone
    ("rules") and after the turn model and this one ("model"), both trained on the other
    calls, overall and per language."""
    from coach.analysis.evaluate import compare_questions

    calls, examples = _examples(paths)
    turn_calls = turn_model.spoken_calls(paths)
    turn_examples = [turn_model.turn_examples(c) for c in turn_calls]

    def turn_revised(n: int) -> tuple[tuple[Question, ...], ...]:
        model = turn_model.train(
            [e for m, rows in enumerate(turn_examples) if m != n for e in rows]
        )
        return turn_model.revise(turn_calls[n].transcript, tuple(turn_calls[n].found), model)

    baseline = [turn_revised(n) for n in range(len(calls))]

    def revised(n: int) -> tuple[tuple[Question, ...], ...]:
        model = train([e for m, rows in enumerate(examples) if m != n for e in rows])
        return revise(calls[n].transcript, baseline[n], calls[n].stages, model)

    return compare_questions(
        [c._replace(found=b) for c, b in zip(calls, baseline, strict=True)], revised
    )


def retrain(paths: Sequence[Path]) -> str:
    """Train on the labelled calls and save the bundled model."""
    _, per_call = _examples(paths)
    examples = [e for rows in per_call for e in rows]
    save(train(examples))
    load_model.cache_clear()
    return f"trained on {len(examples)} spoken questions from {len(paths)} calls → {MODEL_FILE}"


def main(argv: Sequence[str] | None = None) -> None:
    """Retrain the bundled model: ``python -m coach.analysis.spoken_model DIR...``;
    ``--cross-validate`` measures instead of training."""
    from coach.analysis.training import run

    run(argv, measure=cross_validate, retrain=retrain, what="question F1 without punctuation")


if __name__ == "__main__":
    main()
