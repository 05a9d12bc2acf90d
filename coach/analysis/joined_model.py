"""A learned opinion on whether two questions found side by side in speech without
punctuation are one question.

Without punctuation the rules start a question at every opening they see, so one question
that runs through two clauses comes out as two: "tell me a bit about the operation | how
many acres you're running", "расскажите что за квартира | и на какой она сейчас стадии".
Each half then counts as a question asked, and the second half stands alone as an extra
one. Other pairs really are two questions in one breath ("what's the address at the dock |
and is there somewhere he can park"). A logistic regression over where the two meet (the
classes of the words on either side and between them, rather than the words, so that it
holds for writers it has not seen; the opening words; how each was found; their lengths
and forms) decides which pairs are one; those become one question over both spans.

Runs after the turn model and before the stages, on turns without end punctuation in
calls written without punctuation. Trained on the labelled calls in their punctuation-free
form (``python -m coach.analysis.joined_model PATH...``); the weights are
``coach/analysis/data/joined_model.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from coach.analysis import logistic, turn_model
from coach.analysis.logistic import Logistic, Schedule, bucket
from coach.analysis.questions import Cues, Question, Token, cues_for, relabelled, tokenize
from coach.analysis.transcript import Role, Transcript
from coach.analysis.turn_model import (
    LEARNED,
    SpokenCall,
    unpunctuated,
    written_without_punctuation,
)

if TYPE_CHECKING:
    from coach.analysis.evaluate import GoldQuestion

MODEL_FILE = Path(__file__).resolve().parent / "data" / "joined_model.json"
SCHEDULE = Schedule(epochs=20, learning_rate=0.1, l2=3e-3, seed=5)
JOIN = 0.5  # probability above which two neighbouring questions are one
GAP = 3  # words between two questions: further apart, they are two
SHORT = 8  # words: a second question shorter than this is read by its exact length
JOINED = "joined"  # evidence of a question made of two the rules found side by side

JoinedModel = Logistic


def word_class(word: str, cues: Cues) -> str:
    """What kind of word it is for a question's opening or ending ("edge": none)."""
    if not word:
        return "edge"
    kinds = (
        ("wh", cues.question_words),
        ("aux", cues.auxiliaries),
        ("choice", cues.choice),
        ("joiner", cues.joiners),
        ("marker", cues.markers),
        ("boundary", cues.clause_boundaries),
    )
    return next((kind for kind, words in kinds if word in words), "word")


def _inside(tokens: Sequence[Token], start: int, end: int) -> list[Token]:
    return [t for t in tokens if t.start >= start and t.end <= end]


def features(
    text: str, first: Question, second: Question, language: str, *, last: bool
) -> list[str]:
    """What the model looks at for two neighbouring questions of the turn ``text``
    (``last``: the second one ends the turn)."""
    cues = cues_for(language)
    tokens = tokenize(text)
    one = _inside(tokens, first.start, first.end)
    two = _inside(tokens, second.start, second.end)
    between = _inside(tokens, first.end, second.start)
    opening = one[0].text if one else ""
    ending = one[-1].text if one else ""
    start = two[0].text if two else ""
    link = between[-1].text if between else ""
    how_one, how_two = first.evidence[0], second.evidence[0]
    return [
        "bias",
        f"how:{how_one}_{how_two}",
        f"how1:{how_one}",
        f"how2:{how_two}",
        f"open1:{language}:{opening}",
        f"open2:{language}:{start}",
        f"link:{language}:{link or '-'}",
        f"classes:{word_class(opening, cues)}_{word_class(start, cues)}",
        f"meet:{word_class(ending, cues)}_{word_class(start, cues)}",
        f"link_class:{word_class(link, cues)}_{word_class(start, cues)}",
        f"gap:{min(len(between), GAP)}",
        f"len1:{bucket(len(one), 3, 5)}",
        f"len2:{bucket(len(two), 3, 5)}",
        f"words2:{min(len(two), SHORT)}",
        f"last:{last}",
        f"forms:{first.form}_{second.form}",
        "second:model" if LEARNED in second.evidence else "second:rules",
    ]


def _pairs_apart(text: str, first: Question, second: Question) -> bool:
    """More than GAP words lie between the two, or one of them is a line of the script."""
    if first.from_script or second.from_script:
        return True
    return len(_inside(tokenize(text), first.end, second.start)) > GAP


def joined(text: str, language: str, first: Question, second: Question) -> Question:
    """One question over both spans, labelled again, found as the first one was."""
    both = relabelled(text, language, first.start, second.end, first.evidence[0])
    learned = (LEARNED,) if LEARNED in first.evidence or LEARNED in second.evidence else ()
    return replace(both, evidence=(*both.evidence, *learned, JOINED))


@cache
def load_model(path: Path = MODEL_FILE) -> JoinedModel | None:
    """The bundled model, or None when the data file is absent (rules alone then)."""
    return logistic.load(path)


def train(examples: Sequence[tuple[list[str], bool]]) -> JoinedModel:
    return logistic.train(examples, SCHEDULE)


def save(model: JoinedModel, path: Path = MODEL_FILE) -> None:
    logistic.save(model, path)


def revise(
    transcript: Transcript,
    questions: tuple[tuple[Question, ...], ...],
    model: JoinedModel | None = None,
) -> tuple[tuple[Question, ...], ...]:
    """In a call written without punctuation, each unpunctuated rep turn's questions with
    the neighbours the model judges one question joined."""
    model = model or load_model()
    if model is None or not written_without_punctuation(transcript):
        return questions
    language = transcript.language
    out = []
    for utterance, found in zip(transcript.utterances, questions, strict=True):
        text = utterance.text
        if utterance.speaker is not Role.rep or len(found) < 2 or not unpunctuated(text):
            out.append(found)
            continue
        end = len(text.rstrip())
        kept = [found[0]]
        for second in found[1:]:
            first = kept[-1]
            if not _pairs_apart(text, first, second):
                names = features(text, first, second, language, last=second.end >= end - 1)
                if model.probability(names) >= JOIN:
                    kept[-1] = joined(text, language, first, second)
                    continue
            kept.append(second)
        out.append(tuple(kept))
    return tuple(out)


# --- training and measuring -----------------------------------------------------------
def pair_examples(
    call: SpokenCall, found: Sequence[Sequence[Question]]
) -> list[tuple[list[str], bool]]:
    """Every two neighbouring questions of ``found`` (the rules' and turn model's questions
    of the call's unpunctuated rep turns), labelled one question when the only gold
    question the second overlaps also overlaps the first."""
    transcript = call.transcript
    out = []
    for utterance, wanted, questions in zip(transcript.utterances, call.gold, found, strict=True):
        text = utterance.text
        if utterance.speaker is not Role.rep or not unpunctuated(text):
            continue
        end = len(text.rstrip())
        for first, second in pairwise(questions):
            if _pairs_apart(text, first, second):
                continue
            under = [g for g in wanted if _overlap(g, second)]
            one = len(under) == 1 and _overlap(under[0], first)
            names = features(text, first, second, transcript.language, last=second.end >= end - 1)
            out.append((names, one))
    return out


def _overlap(gold: GoldQuestion, question: Question) -> bool:
    return min(gold.end, question.end) > max(gold.start, question.start)


def _turn_revised(calls: Sequence[SpokenCall]) -> list[tuple[tuple[Question, ...], ...]]:
    """Each call's questions as the bundled turn model leaves them: what this model sees."""
    return [turn_model.revise(c.transcript, tuple(c.found)) for c in calls]


def cross_validate(paths: Sequence[Path]) -> dict[str, float]:
    """Leave one call out: question F1 without punctuation after the bundled turn model
    ("rules") and after it and this model trained on the other calls ("model"), overall
    and per language."""
    from coach.analysis.evaluate import compare_questions

    calls = turn_model.spoken_calls(paths)
    before = _turn_revised(calls)
    examples = [pair_examples(c, found) for c, found in zip(calls, before, strict=True)]

    def revised(n: int) -> tuple[tuple[Question, ...], ...]:
        model = train([e for m, rows in enumerate(examples) if m != n for e in rows])
        return revise(calls[n].transcript, before[n], model)

    return compare_questions(
        [c._replace(found=list(b)) for c, b in zip(calls, before, strict=True)], revised
    )


def retrain(paths: Sequence[Path]) -> str:
    """Train on the labelled calls and save the bundled model (after the turn model)."""
    calls = turn_model.spoken_calls(paths)
    examples = [
        e
        for call, found in zip(calls, _turn_revised(calls), strict=True)
        for e in pair_examples(call, found)
    ]
    save(train(examples))
    load_model.cache_clear()
    return f"trained on {len(examples)} pairs of questions from {len(paths)} calls → {MODEL_FILE}"


def main(argv: Sequence[str] | None = None) -> None:
    """Retrain the bundled model: ``python -m coach.analysis.joined_model DIR...``;
    ``--cross-validate`` measures instead of training."""
    from coach.analysis.training import run

    run(argv, measure=cross_validate, retrain=retrain, what="question F1 without punctuation")


if __name__ == "__main__":
    main()
