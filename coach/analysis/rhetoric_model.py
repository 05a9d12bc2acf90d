"""A learned opinion on whether a written question was asked, or only made a point.

Reps put questions into a pitch that they do not wait on: "Why pay for a car nobody's
driving?", "Вы же не хотите остаться без площадки?", "…it's the box, right? And…". The
labelling rules do not count those as questions asked, and a coach should not either. The
rules catch the stock phrases ("who doesn't want…", "кто же…"); this logistic regression
reads the rest: the question's words, its first and last words, whether the rep goes on
talking after it, how much the rep said before it, the stage of the turn and the client's
reply. A rules' "?" question it finds unlikely to be asked is dropped.

Trained on the labelled calls as written (``python -m coach.analysis.rhetoric_model
PATH...``); the weights are ``coach/analysis/data/rhetoric_model.json``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from coach.analysis import logistic
from coach.analysis.logistic import Logistic, Schedule, bucket
from coach.analysis.questions import Question, tokenize
from coach.analysis.transcript import Transcript
from coach.analysis.turn_model import replies
from coach.scripts.model import StageKind
from coach.text import said_words

if TYPE_CHECKING:
    from coach.analysis.evaluate import GoldQuestion

MODEL_FILE = Path(__file__).resolve().parent / "data" / "rhetoric_model.json"
SCHEDULE = Schedule(epochs=20, learning_rate=0.1, l2=1e-3, seed=11)
DROP = 0.7  # probability of being asked below which a written question is dropped
# about one written question in twenty-five is rhetorical: each counts this many times in
# training so the few there are still shape the model (leaving one call out of 136, F1 of
# written questions: rules 0.978, unweighted at 0.5 0.988, weighted at 0.7 0.991)
RHETORICAL_WEIGHT = 3
WRITTEN = "?"  # the rules' evidence for a question that the writer marked with "?"

RhetoricModel = Logistic
Judge = Callable[[Question], bool]  # which questions a model may drop
Describe = Callable[[str, Question, str, Sequence[StageKind], "str | None"], list[str]]
# how likely a question of a turn was asked: (turn, question, language, stages, reply) → p
Asked = Callable[[str, Question, str, Sequence[StageKind], "str | None"], float]


@lru_cache(maxsize=64)
def _word_ends(text: str) -> list[int]:
    """Where each word of a turn ends (its questions are read one after another)."""
    return [token.end for token in tokenize(text)]


def features(
    text: str,
    question: Question,
    language: str,
    stages: Iterable[StageKind],
    reply: str | None,
) -> list[str]:
    """What the model looks at for one question of the turn ``text`` (``reply``: the
    client's next words, None when the rep speaks again or the call ends)."""
    asked = said_words(question.text)
    ends = _word_ends(text)  # where each word of the turn ends, in order
    before = bisect_right(ends, question.start)  # words wholly before the question
    after = len(ends) - bisect_right(ends, question.end)  # words ending after it
    out = ["bias", f"qlen:{bucket(len(asked), 3, 6)}"]
    out += [f"w:{language}:{w}" for w in set(asked)]
    if asked:
        out += [f"first:{language}:{asked[0]}", f"last:{language}:{asked[-1]}"]
    if len(asked) >= 2:
        out += [
            f"first2:{language}:{asked[0]}_{asked[1]}",
            f"last2:{language}:{asked[-2]}_{asked[-1]}",
        ]
    if not after:
        out.append("after:none")  # the turn ends on it: the client may answer
    elif "?" in text[question.end :]:
        out.append("after:question")  # the rep asks on: a run of questions
    else:
        out.append(f"after:statement:{bucket(after, 5, 5)}")  # the pitch goes on
    out.append(f"before:{bucket(before, 8, 5)}")
    out += ["stage:" + str(kind) for kind in stages]  # str(): the StrEnum's value, fast
    if reply is not None and not after:
        answer = said_words(reply)
        out.append(f"reply_len:{bucket(len(answer), 3, 6)}")
        if answer:
            out.append(f"reply1:{language}:{answer[0]}")
    return out


_WORD_KINDS = ("w", "first", "last", "reply1")  # features named "kind:language:word"
_PAIR_KINDS = ("first2", "last2")  # features named "kind:language:word_word"
_NO_WORDS: dict[str, float] = {}
_NO_PAIRS: dict[str, dict[str, float]] = {}


class Weighing:
    """A model's weights by what ``features`` makes their names of, so that judging a
    question builds none of those names: a written call judges every "?" question (the
    hot path). ``probability`` equals ``model.probability(features(…))``, summed in the
    same order."""

    def __init__(self, model: Logistic) -> None:
        weights = model.weights
        self.model = model
        self.weights = weights
        self.words: dict[str, dict[str, dict[str, float]]] = {k: {} for k in _WORD_KINDS}
        self.pairs: dict[str, dict[str, dict[str, dict[str, float]]]] = {k: {} for k in _PAIR_KINDS}
        for name, weight in weights.items():
            kind, _, rest = name.partition(":")
            language, _, said = rest.partition(":")
            if kind in self.words:
                self.words[kind].setdefault(language, {})[said] = weight
            elif kind in self.pairs:  # words hold no "_": the pair splits once
                first, _, second = said.partition("_")
                self.pairs[kind].setdefault(language, {}).setdefault(first, {})[second] = weight
        self.question_length = _buckets(weights, "qlen", 6)
        self.said_before = _buckets(weights, "before", 5)
        self.talks_on = _buckets(weights, "after:statement", 5)
        self.reply_length = _buckets(weights, "reply_len", 6)

    def probability(
        self,
        text: str,
        question: Question,
        language: str,
        stages: Iterable[StageKind],
        reply: str | None,
    ) -> float:
        """The model's probability that the question was asked, as from its features."""
        weights = self.weights
        asked = said_words(question.text)
        ends = _word_ends(text)
        before = bisect_right(ends, question.start)
        after = len(ends) - bisect_right(ends, question.end)
        total = weights.get("bias", 0.0)
        total += self.question_length[bucket(len(asked), 3, 6)]
        words = self.words["w"].get(language, _NO_WORDS)
        for word in set(asked):
            total += words.get(word, 0.0)
        if asked:
            total += self.words["first"].get(language, _NO_WORDS).get(asked[0], 0.0)
            total += self.words["last"].get(language, _NO_WORDS).get(asked[-1], 0.0)
        if len(asked) >= 2:
            firsts = self.pairs["first2"].get(language, _NO_PAIRS)
            total += firsts.get(asked[0], _NO_WORDS).get(asked[1], 0.0)
            lasts = self.pairs["last2"].get(language, _NO_PAIRS)
            total += lasts.get(asked[-2], _NO_WORDS).get(asked[-1], 0.0)
        if not after:
            total += weights.get("after:none", 0.0)
        elif "?" in text[question.end :]:
            total += weights.get("after:question", 0.0)
        else:
            total += self.talks_on[bucket(after, 5, 5)]
        total += self.said_before[bucket(before, 8, 5)]
        for kind in stages:
            total += weights.get("stage:" + str(kind), 0.0)
        if reply is not None and not after:
            answer = said_words(reply)
            total += self.reply_length[bucket(len(answer), 3, 6)]
            if answer:
                total += self.words["reply1"].get(language, _NO_WORDS).get(answer[0], 0.0)
        return logistic.sigmoid(total)


def _buckets(weights: dict[str, float], kind: str, top: int) -> tuple[float, ...]:
    """The weights of "kind:0" … "kind:top" (0 where the model has none)."""
    return tuple(weights.get(f"{kind}:{n}", 0.0) for n in range(top + 1))


@cache
def load_model(path: Path = MODEL_FILE) -> RhetoricModel | None:
    """The bundled model, or None when the data file is absent (rules alone then)."""
    return logistic.load(path)


def train(
    examples: Sequence[tuple[list[str], bool]], languages: frozenset[str] = frozenset()
) -> RhetoricModel:
    """``languages``: those it learns to judge, the ones its rhetorical examples are in."""
    rhetorical = [e for e in examples if not e[1]]
    weighted = [*examples, *rhetorical * (RHETORICAL_WEIGHT - 1)]
    return logistic.train(weighted, SCHEDULE, languages)


def save(model: RhetoricModel, path: Path = MODEL_FILE) -> None:
    logistic.save(model, path)


def _judged(question: Question) -> bool:
    """Questions the model may drop: written with "?", not a line of the script."""
    return question.evidence[:1] == (WRITTEN,) and not question.from_script


@cache
def _bundled() -> Weighing | None:
    """The bundled model's lookups, built once."""
    model = load_model()
    return Weighing(model) if model is not None else None


def revise(
    transcript: Transcript,
    questions: tuple[tuple[Question, ...], ...],
    stages: Sequence[Sequence[StageKind]],
    model: RhetoricModel | None = None,
) -> tuple[tuple[Question, ...], ...]:
    """The questions without the written ones the model judges rhetorical."""
    weighing = _bundled() if model is None else Weighing(model)
    # in a language it saw no rhetorical question of, it would judge by sentence order alone
    if weighing is None or not weighing.model.judges(transcript.language):
        return questions
    asked = weighing.probability
    return keep_asked(transcript, questions, stages, asked, judged=_judged, drop=DROP)


def keep_asked(
    transcript: Transcript,
    questions: tuple[tuple[Question, ...], ...],
    stages: Sequence[Sequence[StageKind]],
    asked: Asked,
    *,
    judged: Judge,
    drop: float,
) -> tuple[tuple[Question, ...], ...]:
    """The questions, less those ``judged`` lets the model judge and it finds ``asked``
    with a probability below ``drop``."""
    out = []
    for utterance, found, kinds, reply in zip(
        transcript.utterances, questions, stages, replies(transcript), strict=True
    ):
        out.append(
            tuple(
                q
                for q in found
                if not judged(q)
                or asked(utterance.text, q, transcript.language, kinds, reply) >= drop
            )
        )
    return tuple(out)


# --- training and measuring -----------------------------------------------------------
class AnalysedCall(NamedTuple):
    """A labelled call as written, with the rules' questions and stages per utterance."""

    path: Path
    transcript: Transcript
    gold: list[tuple[GoldQuestion, ...]]
    found: tuple[tuple[Question, ...], ...]
    stages: list[list[StageKind]]


def analysed_calls(paths: Sequence[Path], form: str = "json") -> list[AnalysedCall]:
    """The labelled calls in ``form`` ("json" as written, "asr" without punctuation), with
    the rules' questions and stages."""
    from coach.analysis.analyse import analyse
    from coach.analysis.evaluate import load_labelled, variant

    out = []
    for path in paths:
        call = load_labelled(path)
        transcript, gold = variant(call, form)
        analysis = analyse(transcript, classifier="rules")
        stages = [analysis.stage_kinds(u.index) for u in transcript.utterances]
        out.append(AnalysedCall(path, transcript, list(gold), analysis.questions, stages))
    return out


def question_examples(
    call: AnalysedCall, judged: Judge | None = None, describe: Describe | None = None
) -> list[tuple[list[str], bool]]:
    """Every question the rules found that ``judged`` lets the model judge (by default the
    written ones), as ``describe`` sees it (by default ``features``), labelled asked (it is
    a gold question) or not (a rhetorical one, or no question at all)."""
    from coach.analysis.evaluate import match_spans

    judged = judged or _judged
    describe = describe or features
    _, transcript, gold, found, stages = call
    out = []
    for utterance, wanted, questions, kinds, reply in zip(
        transcript.utterances, gold, found, stages, replies(transcript), strict=True
    ):
        asked = {
            d
            for d, _ in match_spans(
                [(q.start, q.end) for q in questions], [(g.start, g.end) for g in wanted]
            )
        }
        for d, question in enumerate(questions):
            if judged(question):
                names = describe(utterance.text, question, transcript.language, kinds, reply)
                out.append((names, d in asked))
    return out


def _judged_languages(
    calls: Sequence[AnalysedCall], examples: Sequence[Sequence[tuple[list[str], bool]]]
) -> frozenset[str]:
    """The languages with rhetorical questions among the examples: the ones it can judge."""
    return frozenset(
        call.transcript.language
        for call, rows in zip(calls, examples, strict=True)
        if any(not asked for _, asked in rows)
    )


def cross_validate(paths: Sequence[Path]) -> dict[str, float]:
    """Leave one call out: written question F1 of the rules alone and with the model trained
    on the other calls, overall and per language."""
    from coach.analysis.evaluate import compare_questions

    calls = analysed_calls(paths)
    examples = [question_examples(c) for c in calls]

    def revised(n: int) -> tuple[tuple[Question, ...], ...]:
        others = [m for m in range(len(calls)) if m != n]
        model = train(
            [e for m in others for e in examples[m]],
            _judged_languages([calls[m] for m in others], [examples[m] for m in others]),
        )
        return revise(calls[n].transcript, calls[n].found, calls[n].stages, model)

    return compare_questions(calls, revised)


def retrain(paths: Sequence[Path]) -> str:
    """Train on the labelled calls and save the bundled model."""
    calls = analysed_calls(paths)
    per_call = [question_examples(c) for c in calls]
    examples = [e for rows in per_call for e in rows]
    save(train(examples, _judged_languages(calls, per_call)))
    load_model.cache_clear()
    return f"trained on {len(examples)} written questions from {len(paths)} calls → {MODEL_FILE}"


def main(argv: Sequence[str] | None = None) -> None:
    """Retrain the bundled model: ``python -m coach.analysis.rhetoric_model DIR...``;
    ``--cross-validate`` measures instead of training."""
    from coach.analysis.training import run

    run(argv, measure=cross_validate, retrain=retrain, what="question F1 as written")


if __name__ == "__main__":
    main()
