"""Binary logistic regression over named features: what the learned yes/no opinions (does a
turn end by asking, is a question rhetorical) share. Pure Python, deterministic, and small
enough to keep its weights as a readable JSON data file.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path


@dataclass(frozen=True)
class Logistic:
    weights: dict[str, float]  # feature name → weight; unknown features weigh nothing
    # the languages it learned to judge (empty: any); saved with the weights
    languages: frozenset[str] = frozenset()

    def probability(self, names: Sequence[str]) -> float:
        return sigmoid(sum(map(self.weights.get, names, repeat(0.0))))

    def judges(self, language: str) -> bool:
        return not self.languages or language in self.languages


@dataclass(frozen=True)
class Schedule:
    """How a model is trained: passes over the examples, step size, L2 decay, shuffle seed."""

    epochs: int
    learning_rate: float
    l2: float
    seed: int


def bucket(count: int, size: int, top: int) -> int:
    """A count as a feature value: ``count // size``, at most ``top``."""
    return min(count // size, top)


def sigmoid(total: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


def train(
    examples: Sequence[tuple[list[str], bool]],
    schedule: Schedule,
    languages: frozenset[str] = frozenset(),
) -> Logistic:
    """Plain SGD on the logistic loss; deterministic for the same examples and schedule."""
    weights: dict[str, float] = {}
    order = list(examples)
    rng = random.Random(schedule.seed)
    for _ in range(schedule.epochs):
        rng.shuffle(order)
        for names, label in order:
            predicted = sigmoid(sum(weights.get(n, 0.0) for n in names))
            gradient = predicted - (1.0 if label else 0.0)
            for n in names:
                value = weights.get(n, 0.0)
                weights[n] = value - schedule.learning_rate * (gradient + schedule.l2 * value)
    kept = {n: round(v, 3) for n, v in sorted(weights.items()) if abs(v) >= 0.005}
    return Logistic(kept, languages)


def save(model: Logistic, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = {"weights": model.weights}
    if model.languages:
        data["languages"] = sorted(model.languages)
    path.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def load(path: Path) -> Logistic | None:
    """The model in ``path``, or None when the data file is absent (the rules decide then)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Logistic(dict(data["weights"]), frozenset(data.get("languages", ())))
