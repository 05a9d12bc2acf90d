"""Language-aware sentence splitting and word counting, shared by lint and analysis, and
the one way a moment of a call is written (mm:ss).

Splits on . ! ? … but not after known abbreviations ("Dr.", "т.е.") or inside numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from coach.lexicon import cues, normalise

WORD = re.compile(r"[^\W_]++(?:[-'’][^\W_]++)*+")  # possessive: no backtracking
_BOUNDARY = re.compile(r"([.!?…]+)([\"'»”)\]]*)(\s+|$)")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits, hyphenated and apostrophe forms kept)."""
    return WORD.findall(text)


@lru_cache(maxsize=4096)
def said_words(text: str) -> tuple[str, ...]:
    """The words of an utterance as the analysis reads them: normalised (lowercase, ё → е).
    Cached: parsing counts them and the stage model reads them, once per utterance."""
    return tuple(_split_words(normalise(text)))


# what may stand around a word without being part of it (no hyphen or apostrophe: they join)
_EDGES = '.,!?…:;"«»()[]“”„'


def _split_words(text: str) -> list[str]:
    """``WORD.findall(text)``, three times faster where speech is words between spaces and
    punctuation: no word crosses a space, and a chunk that is letters and digits once its
    edge punctuation is off is one word (``isalnum`` is the regex's ``[^\\W_]``)."""
    return _split_by(text, WORD)


ALNUM_RUN = re.compile(r"[^\W_]++")  # letters and digits: "don't" is "don" and "t"


def alnum_runs(text: str) -> list[str]:
    """``ALNUM_RUN.findall(text)``, the same faster way as ``said_words`` (what the SPIN
    model reads a question as)."""
    return _split_by(text, ALNUM_RUN)


def _split_by(text: str, pattern: re.Pattern[str]) -> list[str]:
    """``pattern.findall(text)`` for a pattern of letters and digits (joined or not by
    characters that are not in ``_EDGES``): chunk by chunk, and a chunk that is letters and
    digits once its edge punctuation is off is one match without asking the pattern."""
    out: list[str] = []
    for chunk in text.split():
        if chunk.isalnum():
            out.append(chunk)
            continue
        core = chunk.strip(_EDGES)
        if core.isalnum():
            out.append(core)
        else:
            out += pattern.findall(chunk)
    return out


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


def clock(seconds: float | None, missing: str = "--:--") -> str:
    """A moment of a call as mm:ss (h:mm:ss past an hour); ``missing`` when unknown."""
    if seconds is None:
        return missing
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def table(rows: list[list[str]], header: list[str]) -> str:
    """Rows as plain aligned columns under a header and a rule, for the terminal."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(lines)
