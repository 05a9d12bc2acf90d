"""Named-feature weights summed many rows at a time: the hot path the multi-class learned
opinions (stages, SPIN types) share. ``matrix`` holds one row of class weights per feature
in ``index`` and, last, an all-zero row that stands in for features it does not know."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def row_totals(index: dict[str, int], matrix: Any, rows: Sequence[Sequence[str]]) -> Any:
    """For each row of feature names, the sum of their weight rows (rows × classes)."""
    blank = len(index)
    get = index.get
    return index_totals(matrix, [[get(name, blank) for name in names] for names in rows])


def index_totals(matrix: Any, rows: Sequence[Sequence[int]]) -> Any:
    """For each row of weight-row numbers, the sum of those rows (rows × classes); an
    empty row sums the blank, all-zero last row."""
    import numpy as np

    blank = matrix.shape[0] - 1
    flat: list[int] = []
    offsets: list[int] = []
    for indexes in rows:
        offsets.append(len(flat))
        flat.extend(indexes or [blank])
    return np.add.reduceat(matrix[np.array(flat, dtype=np.int64)], offsets, axis=0)
