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

from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from coach.analysis import logistic
from coach.analysis.logistic import Logistic, Schedule, bucket
from coach.analysis.questions import (
    TAIL_TOKENS,
    Question,
    carries_on,
    cues_for,
    extended_to_end,
    tokenize,
    turn_end_question,
)
from coach.analysis.transcript import Role, Transcript

if TYPE_CHECKING:
    from coach.analysis.evaluate import GoldQuestion

MODEL_FILE = Path(__file__).resolve().parent / "data" / "turn_model.json"
ADD = 0.45  # probability above which a turn with no question at its end gains one
DROP = 0.25  # probability below which the rules' question at a turn's end is dropped
TAIL = 5  # words at the end of the turn the model reads
LEARNED = "model"  # evidence of a question this model added: the later steps keep it
_PUNCTUATION = frozenset("?.!…")


def unpunctuated(text: str) -> bool:
    """No end punctuation anywhere: the turn came from speech recognition (or was typed so)."""
    return _PUNCTUATION.isdisjoint(text)


PUNCTUATED_SHARE = 0.2  # more turns than this with end punctuation: the writer punctuates


def written_without_punctuation(transcript: Transcript) -> bool:
    """The transcript as a whole carries no punctuation (speech recognition that leaves it
    out); in a punctuated one, a line without "?" is the writer's word that it did not ask."""
    said = [u.text for u in transcript.utterances if u.text.strip()]
    allowed = PUNCTUATED_SHARE * len(said)
    punctuated = 0
    for text in said:
        punctuated += not unpunctuated(text)
        if punctuated > allowed:  # a punctuated call shows it within its first turns
            return False
    return bool(said)


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
        f"len:{bucket(len(words), 5, 8)}",
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
    out.append(f"reply_len:{bucket(len(said), 3, 6)}")
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


TurnModel = Logistic
SCHEDULE = Schedule(epochs=20, learning_rate=0.1, l2=1e-3, seed=3)


@cache
def load_model(path: Path = MODEL_FILE) -> TurnModel | None:
    """The bundled model, or None when the data file is absent (rules alone then)."""
    return logistic.load(path)


def train(examples: Sequence[tuple[list[str], bool]]) -> TurnModel:
    return logistic.train(examples, SCHEDULE)


def save(model: TurnModel, path: Path = MODEL_FILE) -> None:
    logistic.save(model, path)


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
        if (
            last is not None
            and not goes_on
            and not last.from_script
            and _runs_on_to_the_end(text, language, last)
        ):
            # the reply answers the rules' question, which ran on to the end of the turn:
            # one question to the end, not a second one made of its last words
            return (*found[:-1], extended_to_end(text, language, last))
        if last is None or not goes_on:
            added = turn_end_question(text, language, "reply", after=last.end if last else 0)
            if added is not None:
                return (*found, replace(added, evidence=(*added.evidence, LEARNED)))
        elif last.end < end - 1 and not last.from_script:
            return (*found[:-1], extended_to_end(text, language, last))
    if p < DROP and goes_on and last is not None and not last.from_script:
        return found[:-1]
    return found


def _runs_on_to_the_end(text: str, language: str, question: Question) -> bool:
    """At most TAIL_TOKENS words of the turn come after the question, and they do not open
    a question of their own ("…aren't you | did you get any of that snow")."""
    rest = [t for t in tokenize(text) if t.start >= question.end]
    if len(rest) > TAIL_TOKENS:
        return False
    cues = cues_for(language)
    return not rest or (
        rest[0].text not in cues.question_words and rest[0].text not in cues.auxiliaries
    )


# --- training and measuring -----------------------------------------------------------
class SpokenCall(NamedTuple):
    """A labelled call without punctuation: gold and the rules' questions per utterance."""

    path: Path
    transcript: Transcript
    gold: list[tuple[GoldQuestion, ...]]
    found: list[tuple[Question, ...]]


def spoken_calls(paths: Sequence[Path]) -> list[SpokenCall]:
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
        out.append(SpokenCall(path, transcript, list(gold), found))
    return out


def turn_examples(call: SpokenCall) -> list[tuple[list[str], bool]]:
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


def cross_validate(paths: Sequence[Path]) -> dict[str, float]:
    """Leave one call out: question F1 without punctuation for the rules alone and with the
    model trained on the other calls, overall and per language."""
    from coach.analysis.evaluate import compare_questions

    calls = spoken_calls(paths)
    examples = [turn_examples(c) for c in calls]

    def revised(n: int) -> tuple[tuple[Question, ...], ...]:
        model = train([e for m, rows in enumerate(examples) if m != n for e in rows])
        return revise(calls[n].transcript, tuple(calls[n].found), model)

    return compare_questions(calls, revised)


def retrain(paths: Sequence[Path]) -> str:
    """Train on the labelled calls and save the bundled model."""
    examples = [e for call in spoken_calls(paths) for e in turn_examples(call)]
    save(train(examples))
    load_model.cache_clear()
    return f"trained on {len(examples)} turns from {len(paths)} calls → {MODEL_FILE}"


def main(argv: Sequence[str] | None = None) -> None:
    """Retrain the bundled model: ``python -m coach.analysis.turn_model DIR...``;
    ``--cross-validate`` measures instead of training."""
    from coach.analysis.training import run

    run(argv, measure=cross_validate, retrain=retrain, what="question F1 without punctuation")


if __name__ == "__main__":
    main()
