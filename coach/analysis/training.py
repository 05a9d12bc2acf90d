"""What the learned models' retraining commands share: reading their arguments and, for
the yes/no models, the command's body.

``python -m coach.analysis.{spin,stage,turn,joined,spoken,rhetoric}_model DIR|FILE...
[--cross-validate]``
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

CROSS_VALIDATE = "--cross-validate"


def training_args(argv: Sequence[str] | None = None) -> tuple[list[Path], bool]:
    """The labelled call files named (a folder stands for its ``*.json``), and whether to
    measure leaving one call out instead of training."""
    args = list(sys.argv[1:] if argv is None else argv)
    paths: list[Path] = []
    for arg in args:
        if arg == CROSS_VALIDATE:
            continue
        path = Path(arg)
        paths += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return paths, CROSS_VALIDATE in args


def run(
    argv: Sequence[str] | None,
    *,
    measure: Callable[[list[Path]], dict[str, float]],
    retrain: Callable[[list[Path]], str],
    what: str,
) -> None:
    """A retraining command's body: measure leaving one call out (printing each of
    ``measure``'s numbers as "leave-one-call-out WHAT, KEY: VALUE"), or retrain and print
    what ``retrain`` says it did."""
    paths, check = training_args(argv)
    if check:
        for key, value in measure(paths).items():
            print(f"leave-one-call-out {what}, {key}: {value:.3f}")
        return
    print(retrain(paths))
