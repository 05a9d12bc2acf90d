"""A learned second opinion on the stages of each utterance, on top of the rules.

One logistic regression per stage kind over the utterance's words, the rules' stage
evidence, its questions' SPIN types, the speaker, the previous turn's stages and where the
turn falls in the call. Trained on labelled calls (``python -m coach.analysis.stage_model
PATH...``); the weights are ``coach/analysis/data/stage_model.json``.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import compress, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.analysis.dense import row_totals
from coach.scripts.model import Spin, StageKind
from coach.text import said_words

if TYPE_CHECKING:  # typed for the compiled build's attribute access, not imported at run time
    from coach.analysis.questions import Question
    from coach.analysis.transcript import Transcript

MODEL_FILE = Path(__file__).resolve().parent / "data" / "stage_model.json"
KINDS = tuple(k.value for k in StageKind)
SPINS = tuple(s.value for s in Spin)
EPOCHS = 15
LEARNING_RATE = 0.2
L2 = 1e-3
SEED = 5
THRESHOLD = 0.5
# the weights have three decimals, so a total can be zero by them: rounding in the sum must
# not decide which side of the threshold (probability 0.5, a total of 0) it falls
_ZERO = 1e-6
_POSITION = tuple(f"pos:{n}" for n in range(5))
_TURN = tuple(f"turn:{n}" for n in range(7))
_LENGTH = tuple(f"len:{n}" for n in range(6))


def features(
    text: str,
    language: str,
    speaker: str,
    rule_kinds: Sequence[str],
    spins: Sequence[str],
    previous_kinds: Sequence[str],
    position: float,
    turn: int,
) -> list[str]:
    words = said_words(text)
    out = [
        "bias",
        f"speaker:{speaker}",
        f"pos:{min(4, int(position * 5))}",
        f"turn:{min(turn, 6)}",
        f"len:{min(len(words) // 8, 5)}",
    ]
    out += [f"w:{language}:{w}" for w in set(words)]
    out += [f"rule:{k}" for k in rule_kinds] or ["rule:none"]
    out += [f"spin:{s}" for s in spins]
    out += [f"prev:{k}" for k in previous_kinds] or ["prev:none"]
    out += [f"rule_speaker:{k}:{speaker}" for k in rule_kinds]
    return out


@dataclass(eq=False)
class StageModel:
    weights: dict[str, dict[str, float]]  # feature → kind → weight
    # the weights as one dense matrix (feature × kind) for fast sums; the last, all-zero
    # row stands in for unknown features. Built once, with the model.
    _index: dict[str, int] = field(init=False, repr=False)
    _dense: Any = field(init=False, repr=False)
    # language → word → row, so prediction need not build "w:lang:word" strings
    _word_rows: dict[str, dict[str, int]] = field(init=False, repr=False)
    # the other features' rows, keyed by what they are built from (the same hot path)
    _speaker_rows: dict[str, int] = field(init=False, repr=False)
    _rule_rows: dict[str, int] = field(init=False, repr=False)
    _rule_speaker_rows: dict[tuple[str, str], int] = field(init=False, repr=False)
    _previous_rows: dict[str, int] = field(init=False, repr=False)
    _spin_rows: dict[str | None, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        import numpy as np

        index = {name: i for i, name in enumerate(self.weights)}
        matrix = np.zeros((len(index) + 1, len(KINDS)), dtype=np.float64)
        column = {k: j for j, k in enumerate(KINDS)}
        words: dict[str, dict[str, int]] = {}
        for name, row in self.weights.items():
            for kind, value in row.items():
                matrix[index[name], column[kind]] = value
            if name.startswith("w:"):
                _, language, word = name.split(":", 2)
                words.setdefault(language, {})[word] = index[name]
        self._index, self._dense, self._word_rows = index, matrix, words
        blank = len(index)
        speakers = ("rep", "client")
        self._speaker_rows = {s: index.get(f"speaker:{s}", blank) for s in speakers}
        self._rule_rows = {k: index.get(f"rule:{k}", blank) for k in KINDS}
        self._rule_speaker_rows = {
            (k, s): index.get(f"rule_speaker:{k}:{s}", blank) for k in KINDS for s in speakers
        }
        self._previous_rows = {k: index.get(f"prev:{k}", blank) for k in KINDS}
        self._spin_rows = {s: index.get(f"spin:{s or 'none'}", blank) for s in (*SPINS, None)}

    def decide_call(
        self,
        transcript: Transcript,
        questions: Sequence[Sequence[Question]],
        kinds: Sequence[Sequence[StageKind]],
    ) -> list[list[str]]:
        """Stage kinds of every utterance of a call: ``kinds_of_all(call_features(…))``
        without building the feature strings for words (the hot path)."""
        import numpy as np

        matrix = self._dense
        blank = len(self._index)
        row = self._index.get
        words_of = self._word_rows.get(transcript.language, {}).get
        speaker_rows, rule_rows = self._speaker_rows, self._rule_rows
        rule_speaker_rows, previous_rows = self._rule_speaker_rows, self._previous_rows
        spin_rows = self._spin_rows
        count = max(1, len(transcript.utterances))
        flat: list[int] = []
        offsets: list[int] = []
        prev_none = row("prev:none", blank)
        previous = [prev_none]
        bias = row("bias", blank)
        rule_none = row("rule:none", blank)
        turn = 0
        for utterance, found, stage_kinds in zip(
            transcript.utterances, questions, kinds, strict=True
        ):
            offsets.append(len(flat))
            speaker = str(utterance.speaker)  # a StrEnum's value, without Enum's .value
            said = said_words(utterance.text)
            flat.append(bias)
            flat.append(speaker_rows[speaker])
            flat.append(row(_POSITION[min(4, int(utterance.index / count * 5))], blank))
            flat.append(row(_TURN[min(turn, 6)], blank))
            flat.append(row(_LENGTH[min(len(said) // 8, 5)], blank))
            flat += previous
            if stage_kinds:
                rule_kinds = [str(k) for k in stage_kinds]
                flat += [rule_rows[k] for k in rule_kinds]
                flat += [rule_speaker_rows[(k, speaker)] for k in rule_kinds]
                previous = [previous_rows[k] for k in rule_kinds]
            else:
                flat.append(rule_none)
                previous = [prev_none]
            if found:
                flat += [spin_rows[str(q.spin) if q.spin else None] for q in found]
            flat.extend(map(words_of, set(said), repeat(blank)))
            turn += speaker == "rep"
        totals = np.add.reduceat(matrix[np.array(flat, dtype=np.int64)], offsets, axis=0)
        return _chosen(totals)

    def kinds(self, names: Sequence[str]) -> list[str]:
        return self.kinds_of_all([names])[0]

    def kinds_of_all(self, rows: Sequence[Sequence[str]]) -> list[list[str]]:
        """Stage kinds of many utterances in one pass over the weights."""
        return _chosen(row_totals(self._index, self._dense, rows))


def _chosen(totals: Any) -> list[list[str]]:
    """Each row's stage kinds: a probability of at least THRESHOLD (0.5) is a total of at
    least 0."""
    return [list(compress(KINDS, row)) for row in (totals >= -_ZERO).tolist()]


@cache
def load_model(path: Path = MODEL_FILE) -> StageModel | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return StageModel({k: dict(v) for k, v in data["weights"].items()})


def train(examples: Sequence[tuple[list[str], set[str]]]) -> StageModel:
    weights: dict[str, dict[str, float]] = {}
    order = list(examples)
    rng = random.Random(SEED)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for names, gold in order:
            rows = [weights.setdefault(n, {}) for n in names]
            for kind in KINDS:
                total = sum(row.get(kind, 0.0) for row in rows)
                p = 1 / (1 + math.exp(-max(-30.0, min(30.0, total))))
                gradient = p - (1.0 if kind in gold else 0.0)
                if abs(gradient) < 1e-4:
                    continue
                for row in rows:
                    value = row.get(kind, 0.0)
                    row[kind] = value - LEARNING_RATE * (gradient + L2 * value)
    compact = {}
    for name, row in sorted(weights.items()):
        kept = {k: round(v, 2) for k, v in row.items() if abs(v) >= 0.05}
        if kept:
            compact[name] = kept
    return StageModel(compact)


def save(model: StageModel, path: Path = MODEL_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"kinds": list(KINDS), "weights": model.weights},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n",
        encoding="utf-8",
    )


def call_features(
    transcript: Transcript,
    questions: Sequence[Sequence[Question]],
    kinds: Sequence[Sequence[StageKind]],
) -> list[list[str]]:
    """Features of every utterance of a call, from the rules' analysis of it."""
    count = max(1, len(transcript.utterances))
    out = []
    previous: list[str] = []
    rep_turn = 0
    for utterance, found, stage_kinds in zip(transcript.utterances, questions, kinds, strict=True):
        rule_kinds = [k.value for k in stage_kinds]
        spins = [q.spin.value if q.spin else "none" for q in found]
        out.append(
            features(
                utterance.text,
                transcript.language,
                utterance.speaker.value,
                rule_kinds,
                spins,
                previous,
                utterance.index / count,
                rep_turn,
            )
        )
        previous = rule_kinds
        rep_turn += utterance.speaker.value == "rep"
    return out


def _examples(paths: Sequence[Path]) -> list[tuple[Path, list[str], set[str], set[str]]]:
    from coach.analysis.analyse import analyse
    from coach.analysis.evaluate import load_labelled

    out = []
    for path in paths:
        call = load_labelled(path)
        analysis = analyse(call.transcript, classifier="rules")
        kinds = [analysis.stage_kinds(u.index) for u in call.transcript.utterances]
        rows = call_features(call.transcript, analysis.questions, kinds)
        for names, gold in zip(rows, call.stages, strict=True):
            out.append((path, names, set(gold), set(call.covered)))
    return out


def cross_validate(paths: Sequence[Path]) -> tuple[float, float]:
    """Leave one call out: mean stage-coverage F1 of (rules, model) on the held-out calls."""
    from coach.analysis.evaluate import set_f1

    examples = _examples(paths)
    rules_f1, model_f1 = [], []
    for path in paths:
        held = [(n, g, c) for p, n, g, c in examples if p == path]
        if not held:
            continue
        model = train([(n, g) for p, n, g, _ in examples if p != path])
        covered = held[0][2]
        predicted = {k for n, _, _ in held for k in model.kinds(n)}
        by_rules = {name[5:] for n, _, _ in held for name in n if name.startswith("rule:")}
        by_rules.discard("none")
        model_f1.append(set_f1(predicted, covered))
        rules_f1.append(set_f1(by_rules, covered))
    return sum(rules_f1) / len(rules_f1), sum(model_f1) / len(model_f1)


def main(argv: Sequence[str] | None = None) -> None:
    """Retrain: ``python -m coach.analysis.stage_model DIR...`` (``--cross-validate``)."""
    from coach.analysis.training import training_args

    paths, check = training_args(argv)
    if check:
        rules, model = cross_validate(paths)
        print(f"leave-one-call-out stage coverage F1: rules {rules:.3f}, model {model:.3f}")
        return
    examples = _examples(paths)
    save(train([(n, g) for _, n, g, _ in examples]))
    load_model.cache_clear()
    print(f"trained on {len(examples)} utterances from {len(paths)} calls → {MODEL_FILE}")


if __name__ == "__main__":
    main()
