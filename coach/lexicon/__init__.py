"""Language cue lists (YAML data files, one per language) used by lint and analysis.

Cues are lowercase word prefixes: "приезжа" matches "приезжайте" and "приезжать";
a cue ending in "$" must end a word: "late$" matches "late", not "later".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from coach.yamlsource import load_plain

_HERE = Path(__file__).resolve().parent
FALLBACK = "en"


@cache
def lexicon(language: str) -> dict[str, Any]:
    """The cue tables for a language; unknown languages fall back to English."""
    path = _HERE / f"{language}.yaml"
    if not path.is_file():
        path = _HERE / f"{FALLBACK}.yaml"
    data = load_plain(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def available_languages() -> list[str]:
    return sorted(p.stem for p in _HERE.glob("*.yaml"))


@cache
def _cue_tuple(language: str, keys: tuple[str, ...]) -> tuple[str, ...]:
    node: Any = lexicon(language)
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return ()
        node = node[key]
    return tuple(str(c).lower() for c in node) if isinstance(node, list) else ()


def cues(language: str, *keys: str) -> list[str]:
    """A cue list, e.g. ``cues("ru", "key_steps", "visit")``; empty when absent."""
    return list(_cue_tuple(language, keys))


def cue_tuple(language: str, *keys: str) -> tuple[str, ...]:
    """``cues`` as the lexicon's own tuple: the same object every time, so ``find_cue`` and
    ``find_cues`` find its compiled pattern by identity (the fast path for hot loops)."""
    return _cue_tuple(language, keys)


@cache
def _pattern(cue: str) -> re.Pattern[str]:
    """A cue where it starts a word. The cue comes first and the word-start check after it,
    looking back past it: the engine then finds the cue's letters as a literal prefix (fast)
    instead of running the whole pattern at every character."""
    whole = cue.endswith("$")
    literal = cue[:-1] if whole else cue
    if not literal:
        return re.compile(r"(?<!\w)(?!\w)" if whole else r"(?<!\w)")
    starts_word = rf"(?<!\w[\s\S]{{{len(literal)}}})"
    return re.compile(re.escape(literal) + starts_word + (r"(?!\w)" if whole else ""))


@cache
def _combined(cue_list: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One pattern for a whole cue list (the longest cue wins), and matched text → cue.
    A cue ending in "$" matches only a whole word."""
    mapping: dict[str, str] = {}
    entries: list[tuple[str, bool]] = []
    for cue in cue_list:
        plain = cue.replace("ё", "е")
        whole = plain.endswith("$")
        literal = plain[:-1] if whole else plain
        if not literal or literal in mapping:
            continue
        mapping[literal] = cue
        entries.append((literal, whole))
    if not entries:
        return None, mapping
    return _at_word_starts(_trie(entries)), mapping


def _at_word_starts(trie: str) -> re.Pattern[str]:
    """``trie`` at every word start, as ``(?<!\\w)(?=(trie))`` would find it, but run over
    ``_padded`` text: the match takes the character before the word, so the engine skips
    along the text by a character class and tries the trie only where a word may start
    (with the lookbehind first, it ran the whole pattern at every character). The cue is
    group 1; the match does not consume it, so callers skip matches inside earlier ones."""
    return re.compile(r"\W(?=(" + trie + "))")


def _padded(lowered: str) -> str:
    """The text with a non-word character before it: its first word starts after one too."""
    return " " + lowered


_END = ""  # key of a trie node's "a cue ends here" mark (True: only at a word's end)


def _trie(entries: list[tuple[str, bool]]) -> str:
    """A regex matching the longest of the literals at a position, as a character trie:
    the engine branches on each character instead of trying every cue in turn, and at
    each node it tries going on before stopping, so the longest cue wins."""
    root: dict[str, Any] = {}
    for literal, whole in entries:
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node.setdefault(_END, whole)
    return _node_pattern(root)


def _node_pattern(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _node_pattern(child) for char, child in node.items() if char]
    if _END in node:
        branches.append(r"(?!\w)" if node[_END] else "")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


_BY_IDENTITY: dict[int, tuple[tuple[str, ...], tuple[re.Pattern[str] | None, dict[str, str]]]] = {}
_BY_IDENTITY_MAX = 4096


def _combined_for(
    cue_list: list[str] | tuple[str, ...],
) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """``_combined`` without hashing a long tuple on every call: the lexicon hands out the
    same tuple objects again and again, so they are looked up by identity first (the entry
    keeps its tuple alive, so the identity cannot be reused by another)."""
    if type(cue_list) is tuple:
        entry = _BY_IDENTITY.get(id(cue_list))
        if entry is not None and entry[0] is cue_list:
            return entry[1]
        found = _combined(cue_list)
        if len(_BY_IDENTITY) >= _BY_IDENTITY_MAX:
            _BY_IDENTITY.clear()
        _BY_IDENTITY[id(cue_list)] = (cue_list, found)
        return found
    return _combined(tuple(cue_list))


def find_cues(text: str, cue_list: list[str] | tuple[str, ...]) -> list[str]:
    """Every cue that starts a word in ``text`` (case-insensitive), in order of appearance.

    At one place the longest cue wins: "what happens if" over "what happens".
    """
    pattern, mapping = _combined_for(cue_list)
    lowered = normalise(text)
    if pattern is None or not _may_be_in(lowered, mapping):
        return []
    found: dict[str, None] = {}
    free = 0  # where the next cue may start: after the last one found
    for match in pattern.finditer(_padded(lowered)):
        start = match.start(1)
        if start >= free:
            literal = match.group(1)
            found[mapping[literal]] = None
            free = start + len(literal)
    return list(found)


def find_cue(text: str, cue_list: list[str] | tuple[str, ...]) -> str | None:
    """The first cue that starts a word in ``text``, or None."""
    pattern, mapping = _combined_for(cue_list)
    lowered = normalise(text)
    if pattern is None or not _may_be_in(lowered, mapping):
        return None
    match = pattern.search(_padded(lowered))
    return mapping[match.group(1)] if match else None


QUICK_LIST = 64  # cue lists up to this many are first looked for as plain substrings


def _may_be_in(lowered: str, literals: Mapping[str, str]) -> bool:
    """False when no literal of a short cue list is anywhere in ``lowered``, so no cue of
    it starts a word there. Most turns hold none of a short list's cues (a rhetorical "who
    doesn't…", a finance word), and a few substring searches cost far less than running
    the pattern along the whole text. Longer lists always go to the pattern."""
    return len(literals) > QUICK_LIST or any(literal in lowered for literal in literals)


class CueTable:
    """Several named cue lists read in one pass over a text: which lists have a cue in it.

    ``find_cue`` once per list costs a regex search per list; this matches, at every word
    start, the longest cue of all the lists, and counts the shorter cues it begins with.
    ``names_in`` says which lists have a cue; ``found`` gives each list's cues as
    ``find_cues`` would; ``read`` does both in one pass, the cues only of the lists named
    ``detailed`` (following each cue costs more than naming its list).
    """

    def __init__(self, lists: Mapping[str, Sequence[str]], detailed: Sequence[str] = ()) -> None:
        owners: dict[str, tuple[set[str], set[str]]] = {}  # literal → (any end, word end)
        written: dict[tuple[str, str, bool], str] = {}  # (list, literal, word end) → its cue
        for name, cue_list in lists.items():
            for cue in cue_list:
                plain = cue.replace("ё", "е")
                whole = plain.endswith("$")
                literal = plain[:-1] if whole else plain
                if literal:
                    owners.setdefault(literal, (set(), set()))[whole].add(name)
                    written.setdefault((name, literal, whole), cue)
        # for each literal, the names of the cues it begins with (itself included): those
        # that may end anywhere, and (length, names) of those that must end a word
        self._anywhere: dict[str, frozenset[str]] = {}
        self._word_end: dict[str, tuple[tuple[int, frozenset[str]], ...]] = {}
        for literal in owners:
            anywhere: set[str] = set()
            ends = []
            for length in range(1, len(literal) + 1):
                part = owners.get(literal[:length])
                if part is not None:
                    anywhere |= part[0]
                    if part[1]:
                        ends.append((length, frozenset(part[1])))
            self._anywhere[literal] = frozenset(anywhere)
            self._word_end[literal] = tuple(ends)
        # for ``found``: every cue a literal begins with, longest first
        by_literal: dict[str, list[tuple[str, str, bool]]] = {}
        for (name, literal, whole), cue in written.items():
            by_literal.setdefault(literal, []).append((name, cue, whole))
        self._cues_at: dict[str, list[tuple[int, str, str, bool]]] = {
            literal: [
                (length, name, cue, whole)
                for length in range(len(literal), 0, -1)
                for name, cue, whole in by_literal.get(literal[:length], ())
            ]
            for literal in owners
        }
        self._detailed_at = {
            literal: [entry for entry in cues if entry[1] in detailed]
            for literal, cues in self._cues_at.items()
        }
        self._pattern = _at_word_starts(_trie([(lit, False) for lit in owners])) if owners else None

    def found(self, text: str) -> dict[str, list[str]]:
        """Per list, what ``find_cues(text, that list)`` gives: every cue of it that starts
        a word, the longest where several start at one place, none inside an earlier
        one's match, in order of appearance."""
        return self._scan(text, self._cues_at, named=False)[1]

    def read(self, text: str) -> tuple[frozenset[str], dict[str, list[str]]]:
        """``names_in(text)``, and ``found(text)`` for the ``detailed`` lists alone."""
        return self._scan(text, self._detailed_at, named=True)

    def names_in(self, text: str) -> frozenset[str]:
        """The names of the lists with a cue that starts a word in ``text``."""
        return self._scan(text, None, named=True)[0]

    def _scan(
        self,
        text: str,
        cues_at: dict[str, list[tuple[int, str, str, bool]]] | None,
        *,
        named: bool,
    ) -> tuple[frozenset[str], dict[str, list[str]]]:
        """One pass over ``text``: the names of the lists with a cue (when ``named``), and
        the cues that ``cues_at`` follows from each matched literal, per list."""
        names: set[str] = set()
        out: dict[str, dict[str, None]] = {}
        if self._pattern is None:
            return frozenset(), {}
        lowered = _padded(normalise(text))  # positions below are in the padded text
        blocked: dict[str, int] = {}  # a list's next cue may start here at the earliest
        for match in self._pattern.finditer(lowered):
            literal = match.group(1)
            start = match.start(1)
            if named:
                names |= self._anywhere[literal]
                for length, enders in self._word_end[literal]:
                    if _ends_word(lowered, start + length):
                        names |= enders
            if cues_at is None:
                continue
            taken: set[str] = set()
            for length, name, cue, whole in cues_at[literal]:
                if name in taken or start < blocked.get(name, 0):
                    continue
                if whole and not _ends_word(lowered, start + length):
                    continue
                taken.add(name)
                blocked[name] = start + length
                out.setdefault(name, {})[cue] = None
        return frozenset(names), {name: list(cues) for name, cues in out.items()}


def _ends_word(text: str, end: int) -> bool:
    """No letter, digit or underscore follows ``end`` (a "$" cue's word ends there)."""
    after = text[end : end + 1]
    return not after or not (after.isalnum() or after == "_")


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lowercase, ё → е, typographic apostrophes → "'"."""
    return text.lower().replace("ё", "е").replace("’", "'").replace("`", "'")


def count_cue(text: str, cue: str) -> int:
    """How many times a cue starts a word in ``text``."""
    return len(_pattern(cue.replace("ё", "е")).findall(normalise(text)))
