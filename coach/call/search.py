"""Find the objection card for what the client just said, in English or Russian.

Each trigger, the category and the card id become a search key. A query scores against a
key by rapidfuzz's QRatio (typos, word order) and by containment (the rep is still typing:
"дорог" finds "дорого"). Keys are deduplicated when the index is built, so a keypress costs
a few milliseconds even over thousands of cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from coach.lexicon import normalise
from coach.scripts.model import Objection

MIN_SCORE = 55
SUBSTRING_SCORE = 85.0  # a key containing the query; closer lengths rank higher
_SUBSTRING_BONUS = 15.0


@dataclass(frozen=True)
class Hit:
    objection: Objection
    score: float
    matched: str  # the trigger (or category) that matched


class ObjectionIndex:
    """Search over a script's objection library."""

    def __init__(self, objections: Sequence[Objection]) -> None:
        self.objections = list(objections)
        self._keys: list[str] = []
        self._owners: list[list[tuple[int, str]]] = []  # per key: (card number, shown text)
        where: dict[str, int] = {}
        for number, objection in enumerate(self.objections):
            texts = [*objection.triggers, objection.category.replace("_", " "), objection.id]
            for text in texts:
                key = normalise(text).strip()
                if not key:
                    continue
                if key not in where:
                    where[key] = len(self._keys)
                    self._keys.append(key)
                    self._owners.append([])
                owners = self._owners[where[key]]
                if all(owner != number for owner, _ in owners):
                    owners.append((number, text))

    def search(self, query: str, limit: int = 8) -> list[Hit]:
        """Best cards for a query, each card once, best first; all cards for an empty one."""
        wanted = normalise(query).strip()
        if not wanted:
            return [Hit(o, 0.0, o.category) for o in self.objections[:limit]]
        scores: dict[int, float] = {}
        for _, score, position in process.extract(
            wanted, self._keys, scorer=fuzz.QRatio, limit=limit * 4, score_cutoff=MIN_SCORE
        ):
            scores[position] = float(score)
        for position, key in enumerate(self._keys):
            if wanted in key:
                score = SUBSTRING_SCORE + _SUBSTRING_BONUS * len(wanted) / len(key)
                if score > scores.get(position, 0.0):
                    scores[position] = score
        out: list[Hit] = []
        seen: set[int] = set()
        for position in sorted(scores, key=lambda p: (-scores[p], p)):
            for owner, shown in self._owners[position]:
                if owner in seen:
                    continue
                seen.add(owner)
                out.append(Hit(self.objections[owner], scores[position], shown))
                if len(out) == limit:
                    return out
        return out
