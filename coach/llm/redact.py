"""Personal data out before a prompt leaves the machine, back in when the answer returns.

Pure functions: `redact(text, names)` swaps phones, e-mails, card and account numbers and the
call's names for placeholders like ``[PHONE_1]``; `restore(text, redaction)` swaps them back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# Russian case endings a name can take (Анна → Анны, Анне, Анну, Анной; Иван → Ивану, Иваном).
_ENDINGS = "ой|ою|ей|ею|ом|ем|ым|им|ого|ому|ой|а|я|ы|и|е|у|ю|ь|й|о"
_VOWEL_TAIL = re.compile(r"(ия|ий|ья|ей|[аяьйоеиыу])$", re.IGNORECASE)
_MIN_STEM = 3

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
# a run of digits with single separators, an optional leading + and a bracketed area code
_DIGITS = re.compile(r"(?<![\w+])\+?\(?\d(?:(?:[ \-.]|\)[ \-]?|[ \-]?\()?\d)*\)?(?![\w])")
_PLACEHOLDER = re.compile(r"\[(PHONE|EMAIL|CARD|ACCOUNT|NAME)_(\d+)\]")


@dataclass
class Redaction:
    """What was replaced: placeholder → the original text (names: the name as given)."""

    originals: dict[str, str] = field(default_factory=dict)
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, repr=False)

    def placeholder(self, kind: str, value: str, key: str | None = None) -> str:
        """The same value (or the same person, by key) always gets the same placeholder."""
        ident = (kind, key if key is not None else value)
        if ident not in self._by_value:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            token = f"[{kind}_{self._counts[kind]}]"
            self._by_value[ident] = token
            self.originals[token] = value
        return self._by_value[ident]

    def __bool__(self) -> bool:
        return bool(self.originals)


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def classify_digits(text: str) -> str | None:
    """PHONE, CARD or ACCOUNT for a run of digits, None for prices, dates and the like."""
    digits = re.sub(r"\D", "", text)
    n = len(digits)
    if 13 <= n <= 19 and luhn_ok(digits):
        return "CARD"
    if n >= 16 or (n >= 12 and not text.startswith("+")):
        return "ACCOUNT"
    phone_shape = text.startswith("+") or "(" in text
    if 10 <= n <= 15 or (phone_shape and n >= 7):
        return "PHONE"
    if n == 7 and re.fullmatch(r"\d{3}-\d{2}-?\d{2}|\d{3}-\d{4}", text):
        return "PHONE"
    return None


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One regex over every word of every name, with the Russian case endings."""
    stems: list[str] = []
    for name in names:
        for word in re.findall(r"[^\W\d_][\w'-]*", name):
            if len(word) < 2:
                continue
            stem = _VOWEL_TAIL.sub("", word)
            if len(stem) < _MIN_STEM:
                stems.append(re.escape(word))
            else:
                stems.append(f"{re.escape(stem)}(?:{_ENDINGS})?")
    if not stems:
        return None
    stems.sort(key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(stems)})(?!\w)", re.IGNORECASE)


def _person_of(word: str, names: list[str]) -> str:
    """The name (as given) a matched word belongs to."""
    lowered = word.lower()
    for name in names:
        for part in re.findall(r"[^\W\d_][\w'-]*", name):
            stem = _VOWEL_TAIL.sub("", part).lower()
            if lowered == part.lower() or (len(stem) >= _MIN_STEM and lowered.startswith(stem)):
                return name
    return word


def redact(
    text: str, names: Iterable[str] = (), redaction: Redaction | None = None
) -> tuple[str, Redaction]:
    """Text with PII replaced; pass the same Redaction to number several texts consistently."""
    redaction = redaction if redaction is not None else Redaction()
    wanted = [n.strip() for n in names if n and n.strip()]

    def sub_email(m: re.Match[str]) -> str:
        return redaction.placeholder("EMAIL", m.group(0))

    def sub_iban(m: re.Match[str]) -> str:
        return redaction.placeholder("ACCOUNT", m.group(0))

    def sub_digits(m: re.Match[str]) -> str:
        found = m.group(0)
        # keep an unmatched bracket outside, so "(call 555-0123)" stays balanced
        lead = "(" if found.startswith("(") and ")" not in found else ""
        tail = ")" if found.endswith(")") and "(" not in found else ""
        core = found[len(lead) : len(found) - len(tail)]
        kind = classify_digits(core)
        return found if kind is None else lead + redaction.placeholder(kind, core) + tail

    out = EMAIL.sub(sub_email, text)
    out = IBAN.sub(sub_iban, out)
    out = _split_sub(out, _DIGITS, sub_digits)
    pattern = name_pattern(wanted)
    if pattern is not None:

        def sub_name(m: re.Match[str]) -> str:
            person = _person_of(m.group(0), wanted)
            part = m.group(0)
            # a whole "first last" name is one person; each word keeps its own placeholder
            return redaction.placeholder(
                "NAME", _surface(part, person), key=f"{person}|{_word_key(part)}"
            )

        out = _split_sub(out, pattern, sub_name)
    return out, redaction


def _word_key(word: str) -> str:
    stem = _VOWEL_TAIL.sub("", word).lower()
    return stem if len(stem) >= _MIN_STEM else word.lower()


def _surface(word: str, person: str) -> str:
    """The given spelling of the name word the match inflects (Анну → Анна)."""
    key = _word_key(word)
    parts: list[str] = re.findall(r"[^\W\d_][\w'-]*", person)
    for part in parts:
        if _word_key(part) == key:
            return part
    return word


def _split_sub(text: str, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> str:
    """Substitute outside existing placeholders only."""
    pieces = _PLACEHOLDER.split(text)
    # split() with two groups yields [text, kind, number, text, kind, number, text ...]
    out = []
    for index in range(0, len(pieces), 3):
        out.append(pattern.sub(repl, pieces[index]))
        if index + 2 < len(pieces):
            out.append(f"[{pieces[index + 1]}_{pieces[index + 2]}]")
    return "".join(out)


def restore(text: str, redaction: Redaction) -> str:
    """Put the originals back wherever the answer kept a placeholder."""
    if not redaction:
        return text
    return _PLACEHOLDER.sub(lambda m: redaction.originals.get(m.group(0), m.group(0)), text)


class StreamRestorer:
    """`restore` for an answer that arrives in chunks: holds back a half-received placeholder."""

    _LONGEST = 16

    def __init__(self, redaction: Redaction) -> None:
        self.redaction = redaction
        self._pending = ""

    def feed(self, chunk: str) -> str:
        text = self._pending + chunk
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut < self._LONGEST:
            self._pending, text = text[cut:], text[:cut]
        else:
            self._pending = ""
        return restore(text, self.redaction)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return restore(text, self.redaction)
