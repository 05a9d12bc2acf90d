"""Language cue lists (YAML data files, one per language) used by lint and analysis.

Cues are lowercase word prefixes: "приезжа" matches "приезжайте" and "приезжать";
a cue ending in "$" must end a word: "late$" matches "late", not "later".
"""

from __future__ import annotations

import re
from functools import cache
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


def cues(language: str, *keys: str) -> list[str]:
    """A cue list, e.g. ``cues("ru", "key_steps", "visit")``; empty when absent."""
    node: Any = lexicon(language)
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return []
        node = node[key]
    return [str(c).lower() for c in node] if isinstance(node, list) else []


@cache
def _pattern(cue: str) -> re.Pattern[str]:
    if cue.endswith("$"):
        return re.compile(r"(?<!\w)" + re.escape(cue[:-1]) + r"(?!\w)")
    return re.compile(r"(?<!\w)" + re.escape(cue))


def find_cue(text: str, cue_list: list[str]) -> str | None:
    """The first cue that starts a word in ``text`` (case-insensitive), or None."""
    lowered = normalise(text)
    for cue in cue_list:
        if _pattern(cue.replace("ё", "е")).search(lowered):
            return cue
    return None


def find_cues(text: str, cue_list: list[str]) -> list[str]:
    """Every cue that starts a word in ``text``."""
    lowered = normalise(text)
    return [cue for cue in cue_list if _pattern(cue.replace("ё", "е")).search(lowered)]


def normalise(text: str) -> str:
    """Lowercase, ё → е, typographic apostrophes → "'"."""
    return text.lower().replace("ё", "е").replace("’", "'").replace("`", "'")
