"""Word error rate: how far recognised text is from what was said."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^\w\s]")


def words_for_wer(text: str) -> list[str]:
    """Lowercase words without punctuation (ё read as е)."""
    return _NOT_WORD.sub(" ", text.lower().replace("ё", "е")).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words in the reference."""
    ref, hyp = words_for_wer(reference), words_for_wer(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, said in enumerate(ref, start=1):
        previous, row[0] = row[0], i
        for j, heard in enumerate(hyp, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (said != heard))
    return row[-1] / max(1, len(ref))
