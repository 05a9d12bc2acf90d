"""Language-aware sentence splitting and word counting, shared by lint and analysis.

Splits on . ! ? … but not after known abbreviations ("Dr.", "т.е.") or inside numbers.
"""

from __future__ import annotations

import re

from coach.lexicon import cues

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_BOUNDARY = re.compile(r"([.!?…]+)([\"'»”)\]]*)(\s+|$)")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits, hyphenated and apostrophe forms kept)."""
    return _WORD.findall(text)


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split ``text`` into sentences, keeping their end punctuation."""
    abbreviations = {a.rstrip(".") for a in cues(language, "abbreviations")}
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end(2)
        candidate = text[start:end].strip()
        if not candidate:
            continue
        if match.group(1) == "." and _ends_with_abbreviation(
            text[start : match.start(1)], abbreviations
        ):
            continue
        following = text[match.end() : match.end() + 1]
        if match.group(1) in {".", "…", "..."} and following and following.islower():
            continue  # "e.g. the", "well… okay": a lowercase word does not start a sentence
        sentences.append(candidate)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _ends_with_abbreviation(before: str, abbreviations: set[str]) -> bool:
    tail = re.search(r"([^\s(«\"]+)$", before)
    if not tail:
        return False
    token = tail.group(1).lower()
    return token in abbreviations or (len(token) == 1 and token.isalpha() and token.isupper())
