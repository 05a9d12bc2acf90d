"""A learned opinion on whether a rep's turn ends by asking, for speech without punctuation.

Speech recognition often drops the question mark, and in Russian a yes/no question
("удобно пару минут поговорить") differs from a statement only by intonation. What the
client says next tells them apart: a question is answered ("да", "в среду", "we use…"), a
statement is acknowledged ("угу", "okay", "спасибо"). A logistic regression over the end
of the turn, the rules' own finding there and the first words and length of the reply
decides; it only ever looks at turns that carry no end punctuation.

Trained on labelled calls in their punctuation-free form (``python -m
coach.analysis.turn_model PATH...``); the weights are ``coach/analysis/data/turn_model.json``.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from coach.analysis.questions import (
    Question,
    carries_on,
    extended_to_end,
    tokenize,
    turn_end_question,
)
from coach.analysis.transcript import Role, Transcript

if TYPE_CHECKING:
    from coach.analysis.evaluate import GoldQuestion

MODEL_FILE = Path(__file__).resolve().parent / "data" / "turn_model.json"
EPOCHS = 20
LEARNING_RATE = 0.1
L2 = 1e-3
SEED = 3
ADD = 0.45  # probability above which a turn with no question at its end gains one
DROP = 0.25  # probability below which the rules' question at a turn's end is dropped
TAIL = 5  # words at the end of the turn the model reads
_PUNCTUATION = frozenset("?.!…")


def unpunctuated(text: str) -> bool:
    """No end punctuation anywhere: the turn came from speech recognition (or was typed so)."""
    return not any(char in _PUNCTUATION for char in text)


PUNCTUATED_SHARE = 0.2  # more turns than this with end punctuation: the writer punctuates


def written_without_punctuation(transcript: Transcript) -> bool:
    """The transcript as a whole carries no punctuation (speech recognition that leaves it
    out); in a punctuated one, a line without "?" is the writer's word that it did not ask."""
    said = [u for u in transcript.utterances if u.text.strip()]
    punctuated = sum(not unpunctuated(u.text) for u in said)
    return bool(said) and punctuated <= PUNCTUATED_SHARE * len(said)


def _bucket(count: int, size: int, top: int) -> int:
    return min(count // size, top)


def features(
    text: str,
    language: str,
    questions: Sequence[Question],
    reply: str | None,
) -> list[str]:
    """What the model looks at: the turn's last words, the rules' finding at its end and
    the client's reply (None: the call ends, or the rep speaks again)."""
    words = [t.text for t in tokenize(text)]
    at_end = [q for q in questions if carries_on(text, language, q)]
    out = [
        "bias",
        f"len:{_bucket(len(words), 5, 8)}",
        f"rule_end:{at_end[0].evidence[0] if at_end else 'none'}",
        f"rule_mid:{min(len(questions) - len(at_end), 2)}",
    ]
    if words:
        out.append(f"last:{language}:{words[-1]}")
    if len(words) >= 2:
        out.append(f"last2:{language}:{words[-2]}_{words[-1]}")
    out += [f"tail:{language}:{w}" for w in set(words[-TAIL:])]
    if reply is None:
        out.append("reply:none")
        return out
    said = [t.text for t in tokenize(reply)]
    out.append(f"reply_len:{_bucket(len(said), 3, 6)}")
    if said:
        out.append(f"reply1:{language}:{said[0]}")
    if len(said) >= 2:
        out.append(f"reply2:{language}:{said[0]}_{said[1]}")
    out += [f"reply_w:{language}:{w}" for w in set(said[:4])]
    if _echoes(said[:ECHO], words[-TAIL:]):
        out.append("reply_echo")  # "удобно говорить" → "удобно", "is it still…" → "it is"
    return out


ECHO = 3  # first words of the reply that may repeat the question's
STEM = 4  # letters two words must share to count as the same word ("можете" / "могу": no)


def _echoes(reply: Sequence[str], tail: Sequence[str]) -> bool:
    """The reply opens by repeating a content word of the turn's end, the way a yes/no
    question is answered in Russian (and often in English)."""
    stems = {w[:STEM] for w in tail if len(w) >= STEM}
    return any(len(w) >= STEM and w[:STEM] in stems for w in reply)


@dataclass(frozen=True)
class TurnModel:
    weights: dict[str, float]

    def probability(self, names: Sequence[str]) -> float:
        total = sum(self.weights.get(name, 0.0) for name in names)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


@cache
def load_model(path: Path = MODEL_FILE) -> TurnModel | None:
    """The bundled model, or None when the data file is absent (rules alone then)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return TurnModel(dict(data["weights"]))


def train(examples: Sequence[tuple[list[str], bool]]) -> TurnModel:
    """Plain SGD on the logistic loss; deterministic for the same examples."""
    weights: dict[str, float] = {}
    order = list(examples)
    rng = random.Random(SEED)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for names, label in order:
            total = sum(weights.get(n, 0.0) for n in names)
            predicted = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))
            gradient = predicted - (1.0 if label else 0.0)
            for n in names:
                value = weights.get(n, 0.0)
                weights[n] = value - LEARNING_RATE * (gradient + L2 * value)
    return TurnModel({n: round(v, 3) for n, v in sorted(weights.items()) if abs(v) >= 0.005})


def save(model: TurnModel, path: Path = MODEL_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"weights": model.weights}, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )


def replies(transcript: Transcript) -> list[str | None]:
    """For every utterance, the client's reply right after it (None if the rep goes on or
    the call ends)."""
    out: list[str | None] = []
    utterances = transcript.utterances
    for n in range(len(utterances)):
        following = utterances[n + 1] if n + 1 < len(utterances) else None
        out.append(
            following.text if following is not None and following.speaker is Role.client else None
        )
    return out


def revise(
    transcript: Transcript,
    questions: tuple[tuple[Question, ...], ...],
    model: TurnModel | None = None,
) -> tuple[tuple[Question, ...], ...]:
    """The rules' questions with the model's opinion on each unpunctuated rep turn's end: a
    question added where the reply shows one was asked, the rules' one dropped where the
    reply shows it was not."""
    model = model or load_model()
    if model is None or not written_without_punctuation(transcript):
        return questions
    out = []
    for utterance, found, reply in zip(
        transcript.utterances, questions, replies(transcript), strict=True
    ):
        if utterance.speaker is not Role.rep or not unpunctuated(utterance.text):
            out.append(found)
            continue
        out.append(_decide(model, utterance.text, transcript.language, found, reply))
    return tuple(out)


def _decide(
    model: TurnModel,
    text: str,
    language: str,
    found: tuple[Question, ...],
    reply: str | None,
) -> tuple[Question, ...]:
    p = model.probability(features(text, language, found, reply))
    end = len(text.rstrip())
    last = found[-1] if found else None
    goes_on = last is not None and carries_on(text, language, last)
    if p >= ADD:
        if last is None or not goes_on:
            added = turn_end_question(text, language, "reply", after=last.end if last else 0)
            if added is not None:
                return (*found, replace(added, evidence=(*added.evidence, "model")))
        elif last.end < end - 1 and not last.from_script:
            return (*found[:-1], extended_to_end(text, language, last))
    if p < DROP and goes_on and last is not None and not last.from_script:
        return found[:-1]
    return found


# --- training and measuring -----------------------------------------------------------
class _Call(NamedTuple):
    """A labelled call without punctuation: gold and the rules' questions per utterance."""

    path: Path
    transcript: Transcript
    gold: list[tuple[GoldQuestion, ...]]
    found: list[tuple[Question, ...]]


def _calls(paths: Sequence[Path]) -> list[_Call]:
    """Each labelled call in its punctuation-free form, with the rules' questions."""
    from coach.analysis.evaluate import load_labelled, variant
    from coach.analysis.questions import find_questions

    out = []
    for path in paths:
        call = load_labelled(path)
        transcript, gold = variant(call, "asr")
        found = [
            tuple(find_questions(u.text, transcript.language)) if u.speaker is Role.rep else ()
            for u in transcript.utterances
        ]
        out.append(_Call(path, transcript, list(gold), found))
    return out


def _examples(call: _Call) -> list[tuple[list[str], bool]]:
    _, transcript, gold, found = call
    out = []
    for utterance, wanted, questions, reply in zip(
        transcript.utterances, gold, found, replies(transcript), strict=True
    ):
        if utterance.speaker is not Role.rep or not unpunctuated(utterance.text):
            continue
        end = len(utterance.text.rstrip())
        label = any(q.end >= end - 1 for q in wanted)
        out.append((features(utterance.text, transcript.language, questions, reply), label))
    return out


def _counts(call: _Call, revised: Sequence[Sequence[Question]]) -> tuple[int, int, int]:
    """(detected, gold, matched) questions of a call, as ``coach eval`` counts them."""
    from coach.analysis.evaluate import match_spans

    _, transcript, gold, _ = call
    detected = wanted = matched = 0
    for utterance, g, questions in zip(transcript.utterances, gold, revised, strict=True):
        if utterance.speaker is not Role.rep:
            continue
        detected += len(questions)
        wanted += len(g)
        matched += len(
            match_spans([(q.start, q.end) for q in questions], [(x.start, x.end) for x in g])
        )
    return detected, wanted, matched


def _f1(detected: int, wanted: int, matched: int) -> float:
    return 2 * matched / (detected + wanted) if detected + wanted else 1.0


def cross_validate(paths: Sequence[Path]) -> dict[str, float]:
    """Leave one call out: question F1 without punctuation for the rules alone and with the
    model trained on the other calls, overall and per language."""
    calls = _calls(paths)
    examples = [_examples(c) for c in calls]
    totals: dict[str, list[int]] = {}
    for n, call in enumerate(calls):
        model = train([e for m, rows in enumerate(examples) if m != n for e in rows])
        _, transcript, _, found = call
        revised = revise(transcript, tuple(found), model)
        for key in ("all", transcript.language):
            for name, counts in (
                ("rules", _counts(call, found)),
                ("model", _counts(call, revised)),
            ):
                row = totals.setdefault(f"{name}:{key}", [0, 0, 0])
                for k in range(3):
                    row[k] += counts[k]
    return {key: _f1(*row) for key, row in sorted(totals.items())}


def main(argv: Sequence[str] | None = None) -> None:
    """Retrain the bundled model: ``python -m coach.analysis.turn_model DIR...``;
    ``--cross-validate`` measures instead of training."""
    from coach.analysis.training import training_args

    paths, check = training_args(argv)
    if check:
        for key, value in cross_validate(paths).items():
            print(f"leave-one-call-out question F1 without punctuation, {key}: {value:.3f}")
        return
    examples = [e for call in _calls(paths) for e in _examples(call)]
    save(train(examples))
    load_model.cache_clear()
    print(f"trained on {len(examples)} turns from {len(paths)} calls → {MODEL_FILE}")


if __name__ == "__main__":
    main()
