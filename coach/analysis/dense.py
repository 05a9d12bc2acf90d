"""Named-feature weights summed many rows at a time: the hot path the multi-class learned
opinions (stages, SPIN types) share. ``matrix`` holds one row of class weights per feature
in ``index`` and, last, an all-zero row that stands in for features it does not know."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def row_totals(index: dict[str, int], matrix: Any, rows: Sequence[Sequence[str]]) -> Any:
    """For each row of feature names, the sum of their weight rows (rows × classes)."""
    import numpy as np

    blank = len(index)
    get = index.get
    flat: list[int] = []
    offsets: list[int] = []
    for names in rows:
        offsets.append(len(flat))
        flat.extend([get(name, blank) for name in names] or [blank])
    return np.add.reduceat(matrix[np.array(flat, dtype=np.int64)], offsets, axis=0)


def index_totals(matrix: Any, rows: Sequence[Sequence[int]]) -> Any:
    """``row_totals`` for rows already given as weight-row numbers."""
    import numpy as np

    blank = matrix.shape[0] - 1
    flat: list[int] = []
    offsets: list[int] = []
    for indexes in rows:
        offsets.append(len(flat))
        flat.extend(indexes or [blank])
    return np.add.reduceat(matrix[np.array(flat, dtype=np.int64)], offsets, axis=0)
