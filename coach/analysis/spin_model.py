"""A small learned second opinion on SPIN types, on top of the rules.

Multinomial logistic regression over the question's words and word pairs, the rules' own
label and evidence, the question's form, the stages of its utterance and where in the call
it falls. Trained on labelled calls (``python -m coach.analysis.spin_model PATH...``); the
weights are a data file, ``coach/analysis/data/spin_model.json``.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from coach.analysis.dense import index_totals, row_totals
from coach.analysis.questions import Question
from coach.lexicon import normalise
from coach.scripts.model import QuestionForm, Spin, StageKind
from coach.text import alnum_runs

MODEL_FILE = Path(__file__).resolve().parent / "data" / "spin_model.json"
CLASSES = ("situation", "problem", "implication", "need_payoff", "none")
EPOCHS = 30
LEARNING_RATE = 0.3
L2 = 1e-3
SEED = 1
# trained on calls as written: adding their speech-recognition form (no punctuation) gained
# 0.010 there but lost 0.003 on written calls, leaving one call out of 100
TRAINING_VARIANTS = ("json",)


AROUND = 2  # questions before and after whose rules' labels the model reads
_NO_AROUND = ("start",) * AROUND + ("end",) * AROUND


def around(questions: Sequence[Question]) -> list[tuple[str, ...]]:
    """For each of a call's questions in order, the rules' SPIN labels of the AROUND
    questions before it and after it ("start"/"end" past the call's edges): questions come
    in runs (situation, then problem, then implication), so the neighbours tell a "how often
    does that happen?" after a problem question from one among situation questions."""
    labels = [q.spin.value if q.spin else "none" for q in questions]
    padded = ["start"] * AROUND + labels + ["end"] * AROUND
    return [
        tuple(padded[k : k + AROUND]) + tuple(padded[k + AROUND + 1 : k + 2 * AROUND + 1])
        for k in range(len(labels))
    ]


def features(
    question: Question,
    language: str,
    stages: Iterable[StageKind],
    position: float,
    neighbours: Sequence[str] = _NO_AROUND,
) -> list[str]:
    """What the model looks at; the same function serves training and prediction.
    ``neighbours`` is this question's entry of ``around``."""
    words = alnum_runs(normalise(question.text))
    out = [f"w:{language}:{w}" for w in words]
    out += [f"b:{language}:{a}_{b}" for a, b in itertools.pairwise(words)]
    return out + _context(question, stages, position, len(words), neighbours)


def _context(
    question: Question,
    stages: Iterable[StageKind],
    position: float,
    words: int,
    neighbours: Sequence[str],
) -> list[str]:
    """The features besides the words and word pairs."""
    # str() of a StrEnum is its value, without the Python-level Enum.value lookup (hot path)
    rule = str(question.spin) if question.spin else "none"
    out = [
        f"rule:{rule}",
        f"ev:{question.evidence[-1].split(':')[0]}",
        f"form:{question.form!s}",
    ]
    out += ["stage:" + str(kind) for kind in stages]
    out += [f"pos:{min(2, int(position * 3))}", f"len:{min(words // 4, 4)}"]
    out += [f"around{k}:{label}" for k, label in enumerate(neighbours)]
    return out


@dataclass
class SpinModel:
    weights: dict[str, tuple[float, ...]]
    # the weights as one dense matrix (feature × class) and feature → row; the last,
    # all-zero row stands in for unknown features. Built once, with the model.
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    _dense: Any = field(init=False, repr=False, compare=False)
    # language → word → row, and language → first word → second word → row: prediction
    # need not build the "w:…" and "b:…" names of a question's words
    _word_rows: dict[str, dict[str, int]] = field(init=False, repr=False, compare=False)
    _pair_rows: dict[str, dict[str, dict[str, int]]] = field(init=False, repr=False, compare=False)
    # the rows of ``_context``'s features by what they are made of, so the hot path need
    # not build their names either: a rule label, a form or a stage kind (its value), a
    # position or length bucket, each neighbour's label (one table per place), and the
    # evidence named last (filled as evidence turns up: rule names, a few dozen)
    _label_rows: dict[str, int] = field(init=False, repr=False, compare=False)
    _form_rows: dict[str, int] = field(init=False, repr=False, compare=False)
    _stage_rows: dict[str, int] = field(init=False, repr=False, compare=False)
    _position_rows: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _length_rows: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _around_rows: tuple[dict[str, int], ...] = field(init=False, repr=False, compare=False)
    _evidence_rows: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        import numpy as np

        self._index = {name: i for i, name in enumerate(self.weights)}
        self._dense = np.zeros((len(self._index) + 1, len(CLASSES)), dtype=np.float64)
        self._word_rows, self._pair_rows = {}, {}
        for name, row in self.weights.items():
            index = self._index[name]
            self._dense[index] = row
            kind, _, rest = name.partition(":")
            language, _, said = rest.partition(":")
            if kind == "w":
                self._word_rows.setdefault(language, {})[said] = index
            elif kind == "b":  # words hold no "_": the pair splits once
                first, second = said.split("_")
                self._pair_rows.setdefault(language, {}).setdefault(first, {})[second] = index
        get, blank = self._index.get, len(self._index)
        self._label_rows = {label: get(f"rule:{label}", blank) for label in CLASSES}
        self._form_rows = {form.value: get(f"form:{form.value}", blank) for form in QuestionForm}
        self._stage_rows = {kind.value: get(f"stage:{kind.value}", blank) for kind in StageKind}
        self._position_rows = tuple(get(f"pos:{n}", blank) for n in range(3))
        self._length_rows = tuple(get(f"len:{n}", blank) for n in range(5))
        labels = (*CLASSES, "start", "end")
        self._around_rows = tuple(
            {label: get(f"around{k}:{label}", blank) for label in labels} for k in range(2 * AROUND)
        )
        self._evidence_rows = {}

    def rows(
        self,
        question: Question,
        language: str,
        stages: Iterable[StageKind],
        position: float,
        neighbours: Sequence[str] = _NO_AROUND,
    ) -> list[int]:
        """The weight rows of ``features(…)``, in its order, found without building the
        names of the question's words and word pairs (the hot path)."""
        blank = len(self._index)
        words = alnum_runs(normalise(question.text))
        word_rows = self._word_rows.get(language, _NO_ROWS)
        pair_rows = self._pair_rows.get(language, _NO_PAIRS)
        out = [word_rows.get(w, blank) for w in words]
        out += [pair_rows.get(a, _NO_ROWS).get(b, blank) for a, b in itertools.pairwise(words)]
        return out + self._context_rows(question, stages, position, len(words), neighbours)

    def _context_rows(
        self,
        question: Question,
        stages: Iterable[StageKind],
        position: float,
        words: int,
        neighbours: Sequence[str],
    ) -> list[int]:
        """The rows of ``_context(…)``, in its order, from the tables above: what is not
        in them (a label the tables do not hold) is looked up by its name."""
        get, blank = self._index.get, len(self._index)
        rule = str(question.spin) if question.spin else "none"  # a StrEnum's value
        form = str(question.form)
        labels = self._label_rows
        out = [
            labels[rule] if rule in labels else get(f"rule:{rule}", blank),
            self._evidence_row(question.evidence[-1]),
            self._form_rows[form] if form in self._form_rows else get(f"form:{form}", blank),
        ]
        stage_rows = self._stage_rows
        for kind in stages:
            name = str(kind)
            out.append(stage_rows[name] if name in stage_rows else get("stage:" + name, blank))
        place = min(2, int(position * 3))
        out.append(self._position_rows[place] if place >= 0 else get(f"pos:{place}", blank))
        out.append(self._length_rows[min(words // 4, 4)])
        for k, label in enumerate(neighbours):
            tables = self._around_rows
            known = tables[k] if k < len(tables) else _NO_ROWS
            out.append(known[label] if label in known else get(f"around{k}:{label}", blank))
        return out

    def _evidence_row(self, evidence: str) -> int:
        """The row of ``ev:`` and the evidence's name before any ":" (remembered)."""
        row = self._evidence_rows.get(evidence)
        if row is None:
            if len(self._evidence_rows) >= 4096:
                self._evidence_rows.clear()
            row = self._index.get(f"ev:{evidence.split(':')[0]}", len(self._index))
            self._evidence_rows[evidence] = row
        return row

    def predict_rows(self, rows: Sequence[Sequence[int]]) -> list[Spin | None]:
        """``predict_all`` for questions given as their weight rows (``rows``)."""
        if not rows:
            return []
        return [_SPINS[best] for best in index_totals(self._dense, rows).argmax(axis=1).tolist()]

    def predict_all(self, rows: Sequence[Sequence[str]]) -> list[Spin | None]:
        """``predict`` for many questions (each its feature names) in one pass."""
        if not rows:
            return []
        totals = row_totals(self._index, self._dense, rows)
        return [_SPINS[best] for best in totals.argmax(axis=1).tolist()]

    def predict(self, names: Sequence[str]) -> Spin | None:
        return self.predict_all([names])[0]


_SPINS = tuple(None if name == "none" else Spin(name) for name in CLASSES)
_NO_ROWS: dict[str, int] = {}
_NO_PAIRS: dict[str, dict[str, int]] = {}


@cache
def load_model(path: Path = MODEL_FILE) -> SpinModel | None:
    """The bundled model, or None when the data file is absent (rules alone then)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return SpinModel({k: tuple(v) for k, v in data["weights"].items()})


def train(examples: Sequence[tuple[list[str], str]]) -> SpinModel:
    """Plain SGD on the softmax loss; deterministic for the same examples."""
    weights: dict[str, list[float]] = {}
    order = list(examples)
    rng = random.Random(SEED)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for names, label in order:
            rows = [weights.setdefault(n, [0.0] * len(CLASSES)) for n in names]
            totals = [sum(row[k] for row in rows) for k in range(len(CLASSES))]
            top = max(totals)
            exp = [math.exp(t - top) for t in totals]
            norm = sum(exp)
            for k in range(len(CLASSES)):
                gradient = exp[k] / norm - (1.0 if CLASSES[k] == label else 0.0)
                for row in rows:
                    row[k] -= LEARNING_RATE * (gradient + L2 * row[k])
    return SpinModel(
        {
            name: tuple(round(v, 3) for v in row)
            for name, row in sorted(weights.items())
            if any(abs(v) >= 0.005 for v in row)
        }
    )


def save(model: SpinModel, path: Path = MODEL_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"classes": list(CLASSES), "weights": {k: list(v) for k, v in model.weights.items()}}
    path.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def training_examples(paths: Sequence[Path]) -> list[tuple[list[str], str]]:
    """Features and gold labels of every matched rep question in labelled calls."""
    return [(names, label) for _, _, names, label in _examples(paths)]


def cross_validate(paths: Sequence[Path]) -> dict[str, tuple[float, float, int]]:
    """Leave one call out: per input variant, (rules' accuracy, model's accuracy, questions)
    on the held-out calls — how the model does on calls it did not learn from."""
    examples = _examples(paths, ("json", "asr"))
    out: dict[str, list[int]] = {}
    for path in paths:
        held = [(v, n, label) for p, v, n, label in examples if p == path]
        if not held:
            continue
        trained = train(
            [(n, label) for p, v, n, label in examples if p != path and v in TRAINING_VARIANTS]
        )
        for variant, names, label in held:
            row = out.setdefault(variant, [0, 0, 0])
            row[0] += next(n for n in names if n.startswith("rule:"))[5:] == label
            predicted = trained.predict(names)
            row[1] += (predicted.value if predicted else "none") == label
            row[2] += 1
    return {v: (r / n, m / n, n) for v, (r, m, n) in out.items()}


def _examples(
    paths: Sequence[Path], variants: Sequence[str] = TRAINING_VARIANTS
) -> list[tuple[Path, str, list[str], str]]:
    """Every matched rep question of the labelled calls in the given input variants
    ("json" as written, "asr" lowercase without punctuation)."""
    from coach.analysis.analyse import analyse
    from coach.analysis.evaluate import load_labelled, match_spans, variant

    out = []
    for path in paths:
        call = load_labelled(path)
        for name in variants:
            transcript, gold_questions = variant(call, name)
            analysis = analyse(transcript, classifier="rules")
            count = len(transcript.utterances)
            context = iter(around([q for found in analysis.questions for q in found]))
            for utterance, gold in zip(transcript.utterances, gold_questions, strict=True):
                found = analysis.questions_in(utterance.index)
                pairs = dict(
                    match_spans([(q.start, q.end) for q in found], [(g.start, g.end) for g in gold])
                )
                kinds = analysis.stage_kinds(utterance.index)
                for d, question in enumerate(found):
                    neighbours = next(context)
                    if d not in pairs:
                        continue
                    names = features(
                        question, call.language, kinds, utterance.index / count, neighbours
                    )
                    out.append((path, name, names, gold[pairs[d]].spin or "none"))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Retrain the bundled model: ``python -m coach.analysis.spin_model DIR...``;
    ``--cross-validate`` measures instead of training."""
    from coach.analysis.training import training_args

    paths, check = training_args(argv)
    if check:
        for name, (rules, model, count) in cross_validate(paths).items():
            print(
                f"leave-one-call-out, {name}, {count} questions: "
                f"rules {rules:.3f}, model {model:.3f}"
            )
        return
    examples = training_examples(paths)
    save(train(examples))
    load_model.cache_clear()
    print(f"trained on {len(examples)} questions from {len(paths)} calls → {MODEL_FILE}")


if __name__ == "__main__":
    main()
