"""Language cue lists (YAML data files, one per language) used by lint and analysis.

Cues are lowercase word prefixes: "приезжа" matches "приезжайте" and "приезжать";
a cue ending in "$" must end a word: "late$" matches "late", not "later".
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

_HERE = Path(__file__).resolve().parent
FALLBACK = "en"


@cache
def lexicon(language: str) -> dict[str, Any]:
    """The cue tables for a language; unknown languages fall back to English."""
    path = _HERE / f"{language}.yaml"
    if not path.is_file():
        path = _HERE / f"{FALLBACK}.yaml"
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
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


@cache
def _pattern(cue: str) -> re.Pattern[str]:
    if cue.endswith("$"):
        return re.compile(r"(?<!\w)" + re.escape(cue[:-1]) + r"(?!\w)")
    return re.compile(r"(?<!\w)" + re.escape(cue))


@cache
def _combined(cue_list: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One alternation for a whole cue list (longest first), and matched text → cue."""
    mapping: dict[str, str] = {}
    parts: list[tuple[int, str]] = []
    for cue in cue_list:
        plain = cue.replace("ё", "е")
        whole = plain.endswith("$")
        literal = plain[:-1] if whole else plain
        if not literal or literal in mapping:
            continue
        mapping[literal] = cue
        parts.append((len(literal), re.escape(literal) + (r"(?!\w)" if whole else "")))
    if not parts:
        return None, mapping
    parts.sort(key=lambda item: -item[0])
    return re.compile(r"(?<!\w)(?:" + "|".join(p for _, p in parts) + ")"), mapping


def find_cues(text: str, cue_list: list[str] | tuple[str, ...]) -> list[str]:
    """Every cue that starts a word in ``text`` (case-insensitive), in order of appearance.

    At one place the longest cue wins: "what happens if" over "what happens".
    """
    pattern, mapping = _combined(tuple(cue_list))
    if pattern is None:
        return []
    found = dict.fromkeys(mapping[m.group()] for m in pattern.finditer(normalise(text)))
    return list(found)


def find_cue(text: str, cue_list: list[str] | tuple[str, ...]) -> str | None:
    """The first cue that starts a word in ``text``, or None."""
    pattern, mapping = _combined(tuple(cue_list))
    if pattern is None:
        return None
    match = pattern.search(normalise(text))
    return mapping[match.group()] if match else None


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lowercase, ё → е, typographic apostrophes → "'"."""
    return text.lower().replace("ё", "е").replace("’", "'").replace("`", "'")


def count_cue(text: str, cue: str) -> int:
    """How many times a cue starts a word in ``text``."""
    return len(_pattern(cue.replace("ё", "е")).findall(normalise(text)))
