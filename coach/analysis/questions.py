"""Find the questions a rep asks and label them open/closed and by SPIN type.

Works without "?" (speech recognition drops it): question words with an inverted
auxiliary, "aux + subject" openings, indirect requests ("tell me…", "расскажите…"),
Russian "ли" and yes/no openings, end tags ("…, right?"), and the script's own questions.
All cues come from the per-language YAML files in ``coach/lexicon``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from rapidfuzz import fuzz

from coach.lexicon import CueTable, find_cue, lexicon, normalise
from coach.scripts.model import QuestionForm, Spin
from coach.text import said_words

# possessive quantifiers: a word never gives back letters, so nothing to backtrack (faster)
_TOKEN = re.compile(r"[^\W_]++(?:['’\-][^\W_]++)*+")
_TERMINATOR = re.compile(r"[.!?…]+")


class Token:
    """A word: normalised text (lowercase, ё→е, ’→') and its character span.

    A plain class, not a NamedTuple: compiled (coach.speedups) it is built three times
    faster and its fields are read directly, and a call makes over a thousand of them."""

    __slots__ = ("end", "start", "text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Token):
            return NotImplemented
        return (self.text, self.start, self.end) == (other.text, other.start, other.end)

    def __hash__(self) -> int:
        return hash((self.text, self.start, self.end))

    def __repr__(self) -> str:
        return f"Token(text={self.text!r}, start={self.start}, end={self.end})"


@dataclass(frozen=True, slots=True)
class Question:
    """A question found in one utterance; ``start``/``end`` are character offsets in it."""

    text: str
    start: int
    end: int
    form: QuestionForm
    spin: Spin | None
    evidence: tuple[str, ...] = ()
    from_script: bool = False

    # Written out, not generated: the compiled build runs a generated __init__ as Python
    # (see transcript.Utterance).
    def __init__(
        self,
        text: str,
        start: int,
        end: int,
        form: QuestionForm,
        spin: Spin | None,
        evidence: tuple[str, ...] = (),
        from_script: bool = False,
    ) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "form", form)
        object.__setattr__(self, "spin", spin)
        object.__setattr__(self, "evidence", evidence)
        object.__setattr__(self, "from_script", from_script)


@dataclass(frozen=True, slots=True)
class ScriptQuestion:
    """A question the script tells the rep to ask (known form and SPIN type)."""

    text: str
    form: QuestionForm
    spin: Spin | None


@dataclass(frozen=True)
class Cues:
    """One language's question cues, as sets and token tuples for fast matching."""

    language: str
    question_words: frozenset[str]
    wh_contractions: frozenset[str]
    wh_prepositions: frozenset[str]
    wh_bridge: frozenset[str]
    auxiliaries: frozenset[str]
    subjects: frozenset[str]
    person_subjects: frozenset[str]
    not_after: frozenset[str]
    indirect: Phrases
    yes_no_starts: Phrases
    indirect_not_after: frozenset[str]
    embedding: frozenset[str]
    relative_wh: frozenset[str]
    wh_not_before: frozenset[str]
    loose_subjects: frozenset[str]
    not_inversions: Phrases
    discourse_phrases: Phrases
    aux_not_before: frozenset[str]
    statement_subjects: frozenset[str]
    declarative: bool
    wh_after_lead_in: bool  # a question word after a comma, deep in the sentence, asks
    second_person: frozenset[str]
    second_person_endings: tuple[str, ...]
    past_plural_endings: tuple[str, ...]
    other_person: frozenset[str]
    declarative_veto: frozenset[str]
    clause_boundaries: frozenset[str]
    question_leads: frozenset[str]
    joiners: frozenset[str]
    first_person_endings: tuple[str, ...]
    first_person: frozenset[str]
    final_wh_not: frozenset[str]
    not_question_leads: frozenset[str]
    which_next: frozenset[str]
    asr_anywhere: Phrases
    tags: Phrases
    asr_tags: Phrases
    asr_middle_tags: Phrases
    markers: frozenset[str]
    conditional_leads: frozenset[str]
    rhetorical: tuple[str, ...]
    choice: frozenset[str]
    not_choice: Phrases
    open_words: frozenset[str]
    closed_wh: Phrases
    choice_wh: frozenset[str]
    choice_hints: tuple[str, ...]
    open_indirect: Phrases
    scale: tuple[str, ...]
    name_check_greetings: Phrases
    asides: Phrases
    given_names: frozenset[str]
    patronymic_endings: tuple[str, ...]
    # asking for a piece of the client's data is open: "Подскажите вашу почту", "Can I take
    # your surname?", "Почту подскажете?"
    data_requests: Phrases
    data_nouns: tuple[str, ...]
    data_verbs: frozenset[str]
    data_possessives: frozenset[str]
    partitive: frozenset[str]
    proposals: Phrases
    spin: dict[str, tuple[str, ...]]
    spin_table: CueTable  # the SPIN cue lists, read in one pass


def _words(data: dict[str, object], key: str) -> frozenset[str]:
    value = data.get(key) or []
    assert isinstance(value, list)
    return frozenset(normalise(str(v)) for v in value)


def _phrases(data: dict[str, object], key: str) -> Phrases:
    value = data.get(key) or []
    assert isinstance(value, list)
    out = []
    for item in value:
        parts = item if isinstance(item, list) else str(item).split()
        out.append(tuple(normalise(str(p)) for p in parts))
    # longest first, so "can you tell me" wins over "tell me"
    return Phrases(tuple(sorted(out, key=len, reverse=True)))


class Phrases:
    """Token phrases, longest first, with an index by first and by last word for fast
    matching. A plain class, not a tuple: the compiled build (``coach.speedups``) keeps
    native classes off built-in bases."""

    __slots__ = ("by_first", "by_last", "phrases")

    def __init__(self, phrases: tuple[tuple[str, ...], ...]) -> None:
        self.phrases = phrases
        first: dict[str, list[tuple[str, ...]]] = {}
        last: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            if phrase:
                first.setdefault(phrase[0], []).append(phrase)
                last.setdefault(phrase[-1], []).append(phrase)
        self.by_first: dict[str, tuple[tuple[str, ...], ...]] = {
            k: tuple(v) for k, v in first.items()
        }
        self.by_last: dict[str, tuple[tuple[str, ...], ...]] = {
            k: tuple(v) for k, v in last.items()
        }

    def at(self, tokens: Sequence[Token], i: int) -> tuple[str, ...] | None:
        """The longest phrase that starts at token i."""
        for phrase in self.by_first.get(tokens[i].text, ()):
            if _match(tokens, i, phrase):
                return phrase
        return None

    def ends_before(self, tokens: Sequence[Token], i: int) -> bool:
        """Some phrase ends right before token i."""
        if i == 0:
            return False
        for phrase in self.by_last.get(tokens[i - 1].text, ()):
            if i >= len(phrase) and _match(tokens, i - len(phrase), phrase):
                return True
        return False


def _texts(data: dict[str, object], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    assert isinstance(value, list)
    return tuple(normalise(str(v)) for v in value)


@cache
def cues_for(language: str) -> Cues:
    data = lexicon(language)
    spin_data = data.get("spin") or {}
    spin = {key: _texts(spin_data, key) for key in spin_data}
    return Cues(
        language=language,
        question_words=_words(data, "question_words"),
        wh_contractions=_words(data, "wh_contractions"),
        wh_prepositions=_words(data, "wh_prepositions"),
        wh_bridge=_words(data, "wh_bridge"),
        auxiliaries=_words(data, "auxiliaries"),
        subjects=_words(data, "subjects"),
        person_subjects=_words(data, "person_subjects"),
        not_after=_words(data, "not_after"),
        indirect=_phrases(data, "indirect"),
        yes_no_starts=_phrases(data, "yes_no_starts"),
        indirect_not_after=_words(data, "indirect_not_after"),
        embedding=_words(data, "embedding"),
        relative_wh=_words(data, "relative_wh"),
        wh_not_before=_words(data, "wh_not_before"),
        loose_subjects=_words(data, "loose_subjects"),
        not_inversions=_phrases(data, "not_inversions"),
        discourse_phrases=_phrases(data, "discourse_phrases"),
        aux_not_before=_words(data, "aux_not_before"),
        statement_subjects=_words(data, "statement_subjects"),
        declarative=bool(data.get("declarative_questions", False)),
        wh_after_lead_in=bool(data.get("wh_after_lead_in", False)),
        second_person=_words(data, "second_person"),
        second_person_endings=_texts(data, "second_person_endings"),
        past_plural_endings=_texts(data, "past_plural_endings"),
        other_person=_words(data, "other_person"),
        declarative_veto=_words(data, "declarative_veto"),
        clause_boundaries=_words(data, "clause_boundaries"),
        question_leads=_words(data, "question_leads"),
        joiners=_words(data, "joiners"),
        first_person_endings=_texts(data, "first_person_endings"),
        first_person=_words(data, "first_person"),
        final_wh_not=_words(data, "final_wh_not"),
        not_question_leads=_words(data, "not_question_leads"),
        which_next=_words(data, "which_next"),
        asr_anywhere=_phrases(data, "asr_anywhere"),
        tags=_phrases(data, "tags"),
        asr_tags=_phrases(data, "asr_tags"),
        asr_middle_tags=_phrases(data, "asr_middle_tags"),
        markers=_words(data, "discourse_markers"),
        conditional_leads=_words(data, "conditional_leads"),
        rhetorical=_texts(data, "rhetorical"),
        choice=_words(data, "choice"),
        not_choice=_phrases(data, "not_choice"),
        open_words=_words(data, "open_words"),
        closed_wh=_phrases(data, "closed_wh"),
        choice_wh=_words(data, "choice_wh"),
        choice_hints=_texts(data, "choice_hints"),
        open_indirect=_phrases(data, "open_indirect"),
        scale=_texts(data, "scale"),
        name_check_greetings=_phrases(data, "name_check_greetings"),
        asides=_phrases(data, "asides"),
        given_names=_words(data, "given_names"),
        data_requests=_phrases(data, "data_requests"),
        data_nouns=_texts(data, "data_nouns"),
        data_verbs=_words(data, "data_verbs"),
        data_possessives=_words(data, "data_possessives"),
        partitive=_words(data, "partitive"),
        proposals=_phrases(data, "proposals"),
        patronymic_endings=_texts(data, "patronymic_endings"),
        spin=spin,
        spin_table=CueTable(spin),
    )


# --- tokens and segments ------------------------------------------------------------
@lru_cache(maxsize=1024)
def tokenize(text: str) -> tuple[Token, ...]:
    """The words of ``text`` with their spans. Cached: finding a turn's questions, listing
    its rhetorical ones and the learned opinions read the same turn."""
    return tuple(_tokens(text))


def _tokens(text: str) -> list[Token]:
    lowered = normalise(text)
    if len(lowered) != len(text):  # a rare letter whose lowercase is longer
        return [Token(normalise(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if "`" in text:  # normalised to an apostrophe, which joins; in the text it does not
        spans = (m.span() for m in _TOKEN.finditer(text))
        return [Token(lowered[a:b], a, b) for a, b in spans]
    return _placed(lowered, said_words(text))


def _placed(lowered: str, found: Sequence[str]) -> list[Token]:
    """The words of ``lowered`` (its own word list, cached from parsing) with their spans:
    each is the first place it occurs after the one before, since nothing between two
    words is a letter or digit and every word begins with one."""
    out: list[Token] = []
    end = 0
    for word in found:
        start = lowered.find(word, end)
        end = start + len(word)
        out.append(Token(word, start, end))
    return out


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int
    end: int  # exclusive, after the terminator
    terminator: str  # "?", ".", "!", "…" or "" (no punctuation: speech recognition)
    tokens: tuple[Token, ...]

    # Written out, not generated: the compiled build runs a generated __init__ as Python
    # (see transcript.Utterance).
    def __init__(self, start: int, end: int, terminator: str, tokens: tuple[Token, ...]) -> None:
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "terminator", terminator)
        object.__setattr__(self, "tokens", tokens)


def _segments(text: str, tokens: Sequence[Token]) -> list[_Segment]:
    """Sentences by their end punctuation; text with none at all is one segment."""
    out: list[_Segment] = []
    start = 0
    cursor = 0  # tokens and sentences both run left to right: one pass hands them out

    def take(end: int) -> tuple[Token, ...]:
        nonlocal cursor
        first = cursor
        while cursor < len(tokens) and tokens[cursor].end <= end:
            cursor += 1
        return tuple(tokens[first:cursor])

    for match in _TERMINATOR.finditer(text):
        mark = match.group()
        end = match.end()
        following = text[end : end + 2].lstrip()
        # "e.g. the", "Dr. Chen", "2.5": a dot not followed by a new sentence
        if (
            "?" not in mark
            and "!" not in mark
            and following[:1].isalnum()
            and (
                following[:1].islower()
                or following[:1].isdigit()
                or _short_word_before(text, match.start())
            )
        ):
            continue
        kind = "?" if "?" in mark else ("!" if "!" in mark else ".")
        out.append(_Segment(start, end, kind, take(end)))
        start = end
    if start < len(text) and text[start:].strip():
        out.append(_Segment(start, len(text), "", take(len(text))))
    return [s for s in out if s.tokens]


def _short_word_before(text: str, index: int) -> bool:
    """The word ending at ``index`` is a capitalised one or two letters ("Dr", "St", "Т")."""
    start = index
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
        if index - start > 2:
            return False
    return start < index and text[start].isupper()


def _within(tokens: Sequence[Token], start: int, end: int) -> tuple[Token, ...]:
    first = bisect_left(tokens, start, key=lambda t: t.start)
    last = bisect_right(tokens, end, key=lambda t: t.end)
    return tuple(tokens[first:last])


# --- onsets: where a question starts --------------------------------------------------
def _match(tokens: Sequence[Token], i: int, phrase: tuple[str, ...]) -> bool:
    if i + len(phrase) > len(tokens):
        return False
    return all(tokens[i + k].text == word for k, word in enumerate(phrase))


def _clause_lead(tokens: Sequence[Token], cues: Cues) -> int:
    """Index of the first token that is not a marker ("well", "ну"): up to it, every token
    starts the clause."""
    return next((k for k, t in enumerate(tokens) if t.text not in cues.markers), len(tokens))


def _clause_start(text: str, tokens: Sequence[Token], i: int, cues: Cues, lead: int) -> bool:
    """Token i starts a clause: first in its sentence (up to ``lead``, see _clause_lead),
    after a comma or dash, after a discourse phrase, or after a marker."""
    if i <= lead:
        return True
    previous = tokens[i - 1]
    between = text[previous.end : tokens[i].start]
    return (
        (between != " " and any(ch in between for ch in ",;:—–(-"))
        or cues.discourse_phrases.ends_before(tokens, i)
        or (previous.text in cues.markers and previous.text not in cues.subjects)
    )


def _wh_at(tokens: Sequence[Token], i: int, cues: Cues) -> int | None:
    """Index of a question word at i, allowing a preposition before it ("на чём")."""
    if tokens[i].text in cues.question_words or tokens[i].text in cues.wh_contractions:
        return i
    if (
        tokens[i].text in cues.wh_prepositions
        and i + 1 < len(tokens)
        and tokens[i + 1].text in cues.question_words
    ):
        return i + 1
    return None


def _wh_inverted(tokens: Sequence[Token], i: int, cues: Cues) -> bool:
    """English: question word, a few words, then auxiliary + subject ("what kind of dog
    have you got"). A subject before the auxiliary means an embedded clause instead."""
    if not cues.auxiliaries:
        return False
    j = i + 1
    for _ in range(5):
        if j >= len(tokens):
            return False
        word = tokens[j].text
        if word in cues.auxiliaries:
            return j + 1 < len(tokens) and tokens[j + 1].text in cues.subjects
        if word in cues.subjects or word in cues.markers or word in cues.question_words:
            return False
        if word not in cues.wh_bridge and j > i + 3:
            return False
        j += 1
    return False


JOIN_WINDOW = 7  # tokens: a question opening this close after "and" continues the last one
WHICH_WINDOW = 6  # tokens from the end of a turn where "which one…" asks
FINAL_WH = 3  # tokens: a question word this close to the end of a turn asks


def _onsets(text: str, tokens: Sequence[Token], cues: Cues, mode: str) -> list[tuple[int, str]]:
    """(token index, kind) of every place a question may start, in order.

    ``mode`` is "statement" (a sentence ending in "."), "question" (ending in "?") or
    "asr" (speech without punctuation, where a question may start mid-run).
    """
    loose = mode != "statement"
    asr = mode == "asr"
    starters = _starters(cues)
    lead: int | None = None  # worked out only when a word could open a question
    found: list[tuple[int, str]] = []
    covered = -1  # tokens up to here belong to an onset already found
    anchor: tuple[int, str] | None = None  # where the latest joined wh-phrase starts
    for i in range(len(tokens)):
        if i <= covered:
            continue
        word = tokens[i].text
        if word not in starters and not (i + 1 < len(tokens) and tokens[i + 1].text == "ли"):
            continue
        if lead is None:
            lead = _clause_lead(tokens, cues)
        before = tokens[i - 1].text if i > 0 else ""
        aside = cues.asides.at(tokens, i) if asr and found else None
        if aside is not None and i + len(aside) >= len(tokens) - 1:
            break  # "…где всё ломается, как думаете": an aside closing the question
        if asr and (
            before in cues.choice  # "…, or would you rather…": the same question goes on
            # "how old is it and does it get much shade": one question
            or (before in cues.joiners and found and i - found[-1][0] <= JOIN_WINDOW)
        ):
            joined = _wh_at(tokens, i, cues)
            covered = joined or i  # "и во сколько": nor does "сколько" start one
            if joined is not None:
                anchor = (joined, "wh")  # "…and at what time | does it finish": still one
            continue
        clause = _clause_start(text, tokens, i, cues, lead)
        phrase = cues.indirect.at(tokens, i)
        if phrase and before not in cues.indirect_not_after:
            found.append((i, "indirect"))
            covered = i + len(phrase) + 4  # "can I ask how…": the embedded wh is part of it
            continue
        anywhere = asr and cues.asr_anywhere.at(tokens, i) is not None
        yes_no = cues.yes_no_starts.at(tokens, i)
        if yes_no and loose and (clause or anywhere):
            found.append((i, "yes_no"))
            covered = i + len(yes_no)
            continue
        if (
            asr
            and word == "which"
            and len(tokens) - i <= WHICH_WINDOW
            and i + 1 < len(tokens)
            and tokens[i + 1].text in cues.which_next
        ):
            found.append((i, "wh"))
            covered = i + 2
            continue
        wh = _wh_at(tokens, i, cues)
        if wh is not None and _wh_onset(tokens, i, wh, cues, clause, mode):
            found.append((i, "wh_inverted" if _wh_inverted(tokens, wh, cues) else "wh"))
            covered = wh + 2
            continue
        if i + 1 < len(tokens) and tokens[i + 1].text == "ли" and (clause or i <= 1):
            found.append((i, "li"))
            covered = i + 1
            continue
        if (
            word in cues.auxiliaries
            and i + 1 < len(tokens)
            and _inversion(tokens, i, cues, clause, asr)
        ):
            latest = max([*found[-1:], *([anchor] if anchor else [])], default=None)
            if asr and latest is not None and _continues(tokens, i, latest, cues):
                covered = i + 2
                continue
            found.append((i, "aux"))
            covered = i + 2
    return found


WH_OBJECT = 4  # tokens: "how many people | do you have": the inversion finishes the wh-phrase


def _continues(tokens: Sequence[Token], i: int, last: tuple[int, str], cues: Cues) -> bool:
    """Without punctuation, an inverted auxiliary right after a wh-phrase finishes it
    ("what kind of dog have you got"); but "what is your budget | is it fixed" asks twice."""
    start, kind = last
    return (
        kind.startswith("wh")
        and i - start <= WH_OBJECT
        and not any(t.text in cues.auxiliaries for t in tokens[start + 1 : i])
    )


_STARTERS: dict[str, frozenset[str]] = {}


def _starters(cues: Cues) -> frozenset[str]:
    """Every word that can open a question (the "ли" case is checked on its own)."""
    found = _STARTERS.get(cues.language)
    if found is None:
        found = _STARTERS[cues.language] = _starter_words(cues)
    return found


def _starter_words(cues: Cues) -> frozenset[str]:
    return frozenset(
        set(cues.indirect.by_first)
        | set(cues.yes_no_starts.by_first)
        | cues.question_words
        | cues.wh_contractions
        | cues.wh_prepositions
        | cues.auxiliaries
        | {"which"}
    )


def _wh_onset(
    tokens: Sequence[Token], i: int, wh: int, cues: Cues, clause: bool, mode: str
) -> bool:
    before = tokens[i - 1].text if i > 0 else ""
    following = tokens[wh + 1].text if wh + 1 < len(tokens) else ""
    near_end = mode == "asr" and before not in cues.embedding
    if near_end and len(tokens) - wh <= FINAL_WH:
        return tokens[wh].text not in cues.final_wh_not  # "…в одиннадцать какое берём"
    if following in cues.wh_not_before:
        return False
    if _wh_inverted(tokens, wh, cues):
        return clause or mode != "statement"  # embedded clauses do not invert
    contraction = tokens[wh].text in cues.wh_contractions
    if mode == "asr" and before in cues.embedding and before in cues.markers:
        return False  # "так что…", "вот что…": a conjunction, not a question
    after = _after_bridge(tokens, wh, cues)
    subject_next = after in cues.subjects  # "how many people you need": embedded
    if clause:
        if contraction:
            return True
        if mode != "statement":
            return not subject_next
        return not subject_next and not cues.auxiliaries  # Russian: "что вас беспокоит"
    if mode != "asr":
        return False
    if tokens[wh].text in cues.relative_wh:
        return False
    if contraction:
        return before not in cues.embedding
    return before not in cues.embedding and not subject_next and following not in cues.subjects


def _after_bridge(tokens: Sequence[Token], wh: int, cues: Cues) -> str:
    """The first word after a question word and its bridge words ("how many people →you")."""
    j = wh + 1
    while j < len(tokens) and j <= wh + 4 and tokens[j].text in cues.wh_bridge:
        j += 1
    return tokens[j].text if j < len(tokens) else ""


def _inversion(tokens: Sequence[Token], i: int, cues: Cues, clause: bool, asr: bool) -> bool:
    """English "aux + subject": "do you…", "is that okay", "would Thursday work"."""
    before = tokens[i - 1].text if i > 0 else ""
    subject = tokens[i + 1].text
    if cues.not_inversions.at(tokens, i) is not None:
        return False
    if subject in cues.person_subjects:
        return before not in cues.not_after
    if subject in cues.loose_subjects:
        if clause:
            return True
        return (
            asr
            and before not in cues.not_after
            and before not in cues.statement_subjects
            and before not in cues.question_words
            and before not in cues.embedding
        )
    if subject in cues.subjects:
        return clause
    # "Great, would Thursday or Saturday work better?": an auxiliary opening the clause
    return (
        clause
        and asr
        and i > 0
        and subject not in cues.aux_not_before
        and (subject not in cues.auxiliaries)
    )


def _ends_with(tokens: Sequence[Token], phrases: Phrases) -> int | None:
    """Index where a tag phrase ending the tokens starts, if one does (the longest)."""
    if not tokens:
        return None
    for phrase in phrases.by_last.get(tokens[-1].text, ()):
        start = len(tokens) - len(phrase)
        if start > 0 and _match(tokens, start, phrase):
            return start
    return None


# --- detection ----------------------------------------------------------------------
def _is_rhetorical(segment_text: str, cues: Cues) -> bool:
    return _rhetorical_in(segment_text, cues.language)


@lru_cache(maxsize=4096)
def _rhetorical_in(text: str, language: str) -> bool:
    """Cached: a turn is scanned for rhetorical cues when its questions are found and
    again when its rhetorical questions are listed."""
    return find_cue(text, cues_for(language).rhetorical) is not None


def _after_conditional(
    text: str, seg: _Segment, onsets: Sequence[tuple[int, str]], cues: Cues
) -> int | None:
    """In "So if we could…, what would that mean?" the question starts after the if-clause:
    at the first question opening that follows a comma after the condition."""
    toks = seg.tokens
    lead = _lead(toks, cues)
    if lead >= len(toks) or toks[lead].text not in cues.conditional_leads:
        return None
    for index, _kind in onsets:
        if index > lead and "," in text[toks[lead].end : toks[index].start]:
            return index
    comma = text.find(",", toks[lead].end, seg.end)
    return next((k for k, t in enumerate(toks) if t.start > comma), None) if comma >= 0 else None


def _question_start(text: str, seg: _Segment, onsets: Sequence[tuple[int, str]], cues: Cues) -> int:
    """Token where a "?" sentence's question begins (lead-ins like "So," left out)."""
    conditional = _after_conditional(text, seg, onsets, cues)
    if conditional is not None:
        return conditional
    lead = _lead(seg.tokens, cues)
    if any(index == lead for index, _ in onsets):
        return lead
    # "This call is recorded, is that alright with you?": a statement, then the question
    for index, kind in onsets:
        between = text[seg.tokens[index - 1].end : seg.tokens[index].start] if index else ""
        if index > lead and kind in ("aux", "wh_inverted") and "," in between:
            return index
    return lead


def _question_spans(text: str, tokens: Sequence[Token], cues: Cues) -> list[tuple[int, int, str]]:
    """Character spans (start, end, how) of the questions in one utterance."""
    spans: list[tuple[int, int, str]] = []
    segments = _segments(text, tokens)
    # a rhetorical cue in a sentence is one in the turn: one scan of a turn with several
    # sentences rules them all out, as in rhetorical_questions
    may_be_rhetorical = len(segments) == 1 or _is_rhetorical(text, cues)
    for seg in segments:
        seg_text = text[seg.start : seg.end]
        toks = seg.tokens
        if seg.terminator == "?":
            if may_be_rhetorical and _is_rhetorical(seg_text, cues):
                continue
            onsets = _onsets(text, toks, cues, "question")
            first = _question_start(text, seg, onsets, cues)
            spans.append((toks[first].start, seg.end, "?"))
        elif seg.terminator in (".", "!", "…"):
            if not _may_ask(toks, cues):
                continue
            # a written "." sentence asks through an indirect request ("tell me what…") or
            # an auxiliary or "ли" first ("есть ли у вас…."); a question word first is a
            # statement there: "Смотрите, что мы можем предложить.", "What I'd say is…"
            onsets = [
                (i, kind)
                for i, kind in _onsets(text, toks, cues, "statement")
                if kind == "indirect" or (kind in ("aux", "li") and i == _lead(toks, cues))
            ]
            if onsets and not (may_be_rhetorical and _is_rhetorical(seg_text, cues)):
                spans.append((toks[onsets[0][0]].start, seg.end, "cue"))
        else:  # no punctuation: split the run at every question opening
            spans += _unpunctuated(text, seg, cues)
    return spans


def _may_ask(tokens: Sequence[Token], cues: Cues) -> bool:
    """Cheap test before the full scan: a statement sentence can hold a question only
    through an indirect request, or a question word / auxiliary / "ли" at its start."""
    if any(t.text in cues.indirect.by_first for t in tokens):
        return True
    lead = _lead(tokens, cues)
    word = tokens[lead].text
    return (
        word in cues.question_words
        or word in cues.wh_contractions
        or word in cues.wh_prepositions
        or word in cues.auxiliaries
        or (lead + 1 < len(tokens) and tokens[lead + 1].text == "ли")
    )


def _lead(tokens: Sequence[Token], cues: Cues) -> int:
    return next((k for k, t in enumerate(tokens) if t.text not in cues.markers), 0)


def _unpunctuated(text: str, seg: _Segment, cues: Cues) -> list[tuple[int, int, str]]:
    toks = seg.tokens
    onsets = [i for i, _ in _onsets(text, toks, cues, "asr")]
    spans = []
    if seg.start == 0:
        check = _name_check(toks, cues)
        if check is not None:
            spans.append((toks[0].start, toks[check].end, "name check"))
            onsets = [i for i in onsets if i > check]
    # "…adds up pretty fast doesn't it | and with the missed calls…": a tag in the middle of
    # the run closes the statement before it, and starts no question of its own
    middle = _middle_tags(toks, cues)
    onsets = [i for i in onsets if i not in middle]
    for n, i in enumerate(onsets):
        stop = onsets[n + 1] if n + 1 < len(onsets) else len(toks)
        if stop - i >= 2 and not _is_rhetorical(text[toks[i].start : toks[stop - 1].end], cues):
            spans.append((toks[i].start, toks[stop - 1].end, "asr"))
    if cues.declarative:
        spans += _declarative(text, toks, cues, spans)
    for inside, end in middle.items():
        head = toks[:end]
        before = [sp for sp in spans if sp[0] < toks[end - 1].end]
        after = [sp for sp in spans if sp[0] >= toks[end - 1].end]
        earlier = [i for i in onsets if i < inside]
        spans = _tag_question(text, head, inside, earlier, before, cues) + after
    tag = _ends_with(toks, cues.asr_tags)
    if tag is not None and len(toks) >= 4:
        spans = _tag_question(text, toks, tag, onsets, spans, cues)
    return spans


def _middle_tags(toks: Sequence[Token], cues: Cues) -> dict[int, int]:
    """Where a tag ("doesn't it", "не так ли") stands inside a run, after a statement of a
    few words and before more words: tag start → end."""
    out = {}
    for k in range(3, len(toks) - 1):
        phrase = cues.asr_middle_tags.at(toks, k)
        if phrase is not None and k + len(phrase) < len(toks):
            out[k] = k + len(phrase)
    return out


def _is_name(word: str, cues: Cues) -> bool:
    return word in cues.given_names or (len(word) > 6 and word.endswith(cues.patronymic_endings))


def _name_check(toks: Sequence[Token], cues: Cues) -> int | None:
    """ "алло сергей петрович здравствуйте …": a turn that opens with a greeting and then
    the client's name checks who answered (in Russian, by intonation alone); the index of
    the name's last token, or None."""
    i = 0
    while i < len(toks) and (phrase := cues.name_check_greetings.at(toks, i)) is not None:
        i += len(phrase)
    if i == 0 or i >= len(toks) or not _is_name(toks[i].text, cues):
        return None
    last = i
    while last + 1 < len(toks) and last - i < 2 and _is_name(toks[last + 1].text, cues):
        last += 1
    return last


TAG_WINDOW = 10  # tokens before an end tag that its statement may span


def _tag_question(
    text: str,
    toks: Sequence[Token],
    tag: int,
    onsets: Sequence[int],
    spans: list[tuple[int, int, str]],
    cues: Cues,
) -> list[tuple[int, int, str]]:
    """ "…every declined application shows up on your file right": the statement before an
    end tag is its own question, even when an earlier question runs into it."""
    last_onset = max((i for i in onsets if i < tag), default=-TAG_WINDOW)
    earliest = max(0, tag - TAG_WINDOW, last_onset + 3)
    start = next(
        (
            k
            for k in range(earliest, max(earliest, tag - 2))
            if toks[k].text in cues.subjects or toks[k].text in cues.markers
        ),
        None,
    )
    if start is None:
        if last_onset >= 0 and last_onset >= tag - TAG_WINDOW:
            return spans  # the tag closes the question already found
        start = max(0, tag - TAG_WINDOW)
    if _is_rhetorical(text[toks[start].start : toks[-1].end], cues):
        return spans
    out = []
    for s, e, how in spans:
        if s < toks[start].start < e:
            e = toks[start - 1].end  # the earlier question ends where the statement begins
        if e > s and not (s >= toks[start].start):
            out.append((s, e, how))
    out.append((toks[start].start, toks[-1].end, "tag"))
    return out


FINAL_WINDOW = 6  # tokens: how much of a turn's end a declarative question takes


def _addresses_client(tokens: Sequence[Token], cues: Cues, *, strict: bool) -> bool:
    """The words speak to the client (вы / -ете) and about no one else (я, мы, они).

    ``strict`` also refuses promises and farewells ("вы получите", "до встречи").
    """
    words = [t.text for t in tokens]
    if any(w in cues.other_person for w in words):
        return False
    if strict and any(w in cues.declarative_veto or w.endswith("йте") for w in words):
        return False
    if strict and any(
        len(w) > 4
        and w.endswith(cues.first_person_endings)
        and not w.endswith(cues.second_person_endings)
        for w in words[-3:]
    ):
        return False  # "ждём вас в субботу": about us
    if any(w in cues.second_person for w in words):
        return True
    if any(w.endswith(cues.second_person_endings) and len(w) > 4 for w in words):
        return True
    return bool(words) and words[-1].endswith(cues.past_plural_endings)


SHORT_CLAUSE = 7  # tokens: a clause this short that addresses the client is asking them
LEAD_TURN = 9  # tokens: a whole turn this short opened by "а" asks ("а спина давно беспокоит")
PITCH_TOKENS = 30  # a longer turn is a pitch: its end is a question only with a clear cue


def _declarative(
    text: str, toks: Sequence[Token], cues: Cues, found: Sequence[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Russian questions without a question word, as speech recognition writes them:
    a choice offered to the client, a clause opened by "а" that asks, a short clause that
    addresses the client, or a turn that ends by addressing them."""
    spans: list[tuple[int, int, str]] = []
    starts = [0] + [k for k, t in enumerate(toks) if t.text in cues.clause_boundaries and k]
    # "а если …": the condition belongs to the clause "а" opens, not a clause of its own
    starts = [
        k
        for n, k in enumerate(starts)
        if not (n and starts[n - 1] == k - 1 and toks[k - 1].text in cues.question_leads)
    ]

    def add(first: Token, last: Token, how: str) -> None:
        if not any(s < last.end and e > first.start for s, e, _ in [*found, *spans]):
            spans.append((first.start, last.end, how))

    if (
        3 <= len(toks) <= LEAD_TURN
        and toks[0].text in cues.question_leads
        and toks[1].text not in cues.first_person
    ):
        add(toks[0], toks[-1], "a-turn")  # "а я вам всё пришлю": about us, not a question
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(toks)
        whole = toks[start:stop]
        lead = whole[0].text in cues.question_leads
        first = next((k for k, t in enumerate(whole) if t.text not in cues.markers), None)
        if first is None:
            continue
        clause = whole[first:]
        choice = [k for k, t in enumerate(clause[:-1]) if k and t.text in cues.choice]
        if choice:
            first = max(0, choice[0] - 6)
            # "…её дорожка вам удобнее в субботу или…": the choice is put from "вам" on
            first = next(
                (
                    k
                    for k in range(choice[0] - 1, first - 1, -1)
                    if clause[k].text in cues.second_person
                ),
                first,
            )
            window = clause[first : choice[0] + 7]
            if lead or _addresses_client(window, cues, strict=False):
                add((whole if lead else window)[0], window[-1], "choice")
                continue
        if lead and any(t.text in cues.question_words for t in clause):
            add(whole[0], clause[-1], "a-question")
            continue
        if (
            2 <= len(clause) <= SHORT_CLAUSE
            and len(toks) <= PITCH_TOKENS
            and clause[0].text not in cues.not_question_leads  # "если надумаете": a condition
            and _addresses_client(clause, cues, strict=True)
        ):
            add(clause[0], clause[-1], "short clause")
    tail = toks[-FINAL_WINDOW:]
    last_start = max(k for k in starts if k < len(toks))
    if len(toks) - last_start < FINAL_WINDOW:
        tail = toks[last_start:]
        tail = tail[
            next((k for k, t in enumerate(tail) if t.text not in cues.markers), len(tail)) :
        ]
    if (
        len(tail) >= 2
        and len(toks) <= PITCH_TOKENS
        and tail[0].text not in cues.not_question_leads
        and _addresses_client(tail, cues, strict=True)
    ):
        add(tail[0], tail[-1], "turn end")
    return spans


def _script_matches(
    text: str, script: Sequence[ScriptQuestion]
) -> list[tuple[int, int, ScriptQuestion]]:
    """Where the script's own questions were said (fuzzy, punctuation and case ignored)."""
    out = []
    lowered = normalise(text)
    for question in script:
        wanted = normalise(question.text).strip(" ?.!")
        if len(wanted) < 8:
            continue
        found = fuzz.partial_ratio_alignment(wanted, lowered, score_cutoff=88)
        if found is not None:
            out.append((found.dest_start, found.dest_end, question))
    return out


def rhetorical_questions(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Spans of the written questions in one rep utterance that only make a point ("Who
    doesn't want a new truck?", "Кто же откажется?"): the ones ``find_questions`` leaves out
    by the language's rhetorical cues."""
    cues = cues_for(language)
    if "?" not in text or not _is_rhetorical(text, cues):  # one scan rules most turns out
        return []
    out = []
    for seg in _segments(text, tokenize(text)):
        if seg.terminator == "?" and _is_rhetorical(text[seg.start : seg.end], cues):
            lead = seg.tokens[_lead(seg.tokens, cues)]
            out.append((lead.start, seg.end))
    return out


def find_questions(
    text: str, language: str = "en", script: Sequence[ScriptQuestion] = ()
) -> list[Question]:
    """Every question in one rep utterance, labelled open/closed and by SPIN type."""
    cues = cues_for(language)
    tokens = tokenize(text)
    if not tokens:
        return []
    spans = _question_spans(text, tokens, cues)
    known = _script_matches(text, script) if script else []
    out: list[Question] = []
    for start, end, how in spans:
        q_text = text[start:end].strip()
        match = next((q for s, e, q in known if s < end and e > start), None)
        if match is not None:
            out.append(
                Question(
                    q_text, start, end, match.form, match.spin, (how, "script"), from_script=True
                )
            )
            continue
        out.append(_labelled(text, tokens, start, end, how, cues))
    for start, end, question in known:
        if not any(q.start < end and q.end > start for q in out):
            out.append(
                Question(
                    text[start:end].strip(),
                    start,
                    end,
                    question.form,
                    question.spin,
                    ("script",),
                    from_script=True,
                )
            )
    return sorted(out, key=lambda q: q.start)


def _labelled(
    text: str, tokens: Sequence[Token], start: int, end: int, how: str, cues: Cues
) -> Question:
    """The words between ``start`` and ``end`` as a question, with its form and SPIN type."""
    q_text = text[start:end].strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    own = [
        Token(t.text, t.start - offset, t.end - offset)
        for t in _within(tokens, offset, offset + len(q_text))
    ]
    form = classify_form(q_text, cues, own)
    spin, evidence = classify_spin(q_text, cues, own)
    return Question(q_text, start, end, form, spin, (how, *evidence))


def turn_end_question(text: str, language: str, how: str, *, after: int = 0) -> Question | None:
    """The last clause of an unpunctuated turn as a question (when something else, such as
    the client's reply, says the turn ends by asking): from the last clause boundary or a
    question word, at most ``TAIL_TOKENS`` words back, and after character ``after``."""
    cues = cues_for(language)
    tokens = [t for t in tokenize(text) if t.start >= after]
    if not tokens:
        return None
    first = max(0, len(tokens) - TAIL_TOKENS)
    for k in range(len(tokens) - 2, first - 1, -1):
        word = tokens[k].text
        if word in cues.question_words or word in cues.clause_boundaries:
            first = k
            break
    while first < len(tokens) - 1 and tokens[first].text in cues.markers:
        first += 1
    return _labelled(text, tokens, tokens[first].start, tokens[-1].end, how, cues)


TAIL_TOKENS = 8  # words: the most of a turn's end a question found by its context takes


def carries_on(text: str, language: str, question: Question) -> bool:
    """The rest of the turn after this question goes on with it rather than asking anew:
    at most one word ("…как вам вебинар кстати") or a condition ("…what would it change
    if…", "а что бы вам дало если бы…")."""
    cues = cues_for(language)
    rest = [t for t in tokenize(text) if t.start >= question.end]
    if len(rest) <= 1:
        return True
    return rest[0].text in cues.conditional_leads or rest[0].text in cues.not_question_leads


def relabelled(text: str, language: str, start: int, end: int, how: str) -> Question:
    """The words between ``start`` and ``end`` of the turn ``text`` as one question, found
    ``how``, with its form and SPIN type worked out again (a span another step chose)."""
    return _labelled(text, tokenize(text), start, end, how, cues_for(language))


def extended_to_end(text: str, language: str, question: Question) -> Question:
    """The question with the rest of its turn, labelled again over the longer words."""
    longer = relabelled(text, language, question.start, len(text.rstrip()), question.evidence[0])
    return replace(longer, evidence=(*longer.evidence, "extended"))


# --- labels -------------------------------------------------------------------------
def classify_form(question: str, cues: Cues, tokens: list[Token] | None = None) -> QuestionForm:
    """Open unless it can be answered yes/no or by picking an offered option."""
    tokens = tokens if tokens is not None else list(tokenize(question))
    words = [t.text for t in tokens]
    lowered = normalise(question)
    if any(s in lowered for s in cues.scale):
        return QuestionForm.closed
    for k, word in enumerate(words):
        inside = 0 < k < len(words) - 1
        if inside and word in cues.choice and cues.not_choice.at(tokens, k) is None:
            return QuestionForm.closed
    lead = _lead(tokens, cues)
    if lead < len(tokens) and (
        cues.closed_wh.at(tokens, lead) is not None or cues.proposals.at(tokens, lead) is not None
    ):
        return QuestionForm.closed  # "Давайте я покажу, как это работает?": yes or no
    tag = _ends_with(tokens, cues.tags)
    if tag is not None and tag > lead and "," in question[tokens[tag - 1].end : tokens[tag].start]:
        return QuestionForm.closed  # "…где теряются сделки, правильно?": a tag asks yes/no
    if _asks_for_data(tokens[lead:], cues):
        return QuestionForm.open
    wh = next(
        (
            k
            for k in range(lead, min(len(tokens), lead + 7))
            if _is_open_wh(tokens, k, cues) and not _interjected(question, tokens, k)
        ),
        None,
    )
    if wh is not None:
        # "у вас бывает такое, что…", "почта та же, что…": a yes/no frame around the word
        if any(len(cues.closed_wh.at(tokens, k) or ()) >= 2 for k in range(lead, wh)):
            return QuestionForm.closed
        hinted = any(h in lowered for h in cues.choice_hints)
        if tokens[wh].text in cues.choice_wh and (hinted or _partitive(tokens, wh, cues)):
            return QuestionForm.closed  # "Which one suits?", "Какой из них удобнее?"
        if len(words) <= 3 and hinted:
            return QuestionForm.closed  # "Как вам удобнее?": pick one of the offered
        # an open question word first, or embedded in the first few words ("can I ask how…")
        return QuestionForm.open
    if lead < len(tokens) and cues.open_indirect.at(tokens, lead) is not None:
        return QuestionForm.open
    # "Just so I'm not wasting your time, how many people…": after a lead-in clause
    if cues.wh_after_lead_in and lead < len(tokens) and tokens[lead].text not in cues.auxiliaries:
        for k in range(lead + 7, len(tokens)):
            between = question[tokens[k - 1].end : tokens[k].start]
            if (
                "," in between
                and _is_open_wh(tokens, k, cues)
                and not _interjected(question, tokens, k)
            ):
                return QuestionForm.open
    return QuestionForm.closed


def _partitive(tokens: Sequence[Token], wh: int, cues: Cues) -> bool:
    """ "which one", "which of", "какой из": one of a set already named."""
    return wh + 1 < len(tokens) and tokens[wh + 1].text in cues.partitive


def _data_noun(token: Token, cues: Cues) -> bool:
    return token.text.startswith(cues.data_nouns) if cues.data_nouns else False


def _asks_for_data(content: Sequence[Token], cues: Cues) -> bool:
    """A request for a piece of the client's data, answered with it rather than yes/no:
    "Подскажите, пожалуйста, вашу почту", "Can I take your name?", "Почту подскажете?",
    "Вашу почту?"."""
    if not content:
        return False
    phrase = cues.data_requests.at(content, 0)
    if phrase is not None:
        rest = [t for t in content[len(phrase) :] if t.text not in cues.markers]
        if rest and rest[0].text in cues.data_possessives:
            rest = rest[1:]
        return bool(rest) and _data_noun(rest[0], cues)
    first = 1 if content[0].text in cues.data_possessives and len(content) > 1 else 0
    if not _data_noun(content[first], cues):
        return False
    after = content[first + 1 :]
    # "Почту подскажете?" / "Адрес подскажете полностью…?" / the bare "Вашу почту?"
    return not after or after[0].text in cues.data_verbs


def _interjected(question: str, tokens: Sequence[Token], k: int) -> bool:
    """A question word set off by a comma or dash is a filler, not what is asked: "Как,
    укладываетесь?", "Что, утеплитель?", "…туда как — на машине, на метро?"."""
    if k + 1 >= len(tokens):
        return False
    between = question[tokens[k].end : tokens[k + 1].start]
    return any(mark in between for mark in ",—–")


def _is_open_wh(tokens: Sequence[Token], k: int, cues: Cues) -> bool:
    word = tokens[k].text
    if word in cues.choice_wh:
        return True
    if word in cues.wh_contractions:
        return True
    return word in cues.open_words


def _names_someone(question: str, content: Sequence[Token], cues: Cues) -> bool:
    """A short "is that / это + Name?" identity check (names keep their capitals)."""
    if len(content) > 5 or len(content) < 2:
        return False
    rest = content[2:] if content[0].text in cues.auxiliaries else content[1:]
    return bool(rest) and all(question[t.start : t.start + 1].isupper() for t in rest)


SECOND_PERSON = {
    "you",
    "your",
    "you're",
    "you've",
    "you'd",
    "you'll",
    "yours",
    "вы",
    "вам",
    "вас",
    "ваш",
    "ваша",
    "ваше",
    "ваши",
    "вашего",
    "вашей",
    "вашу",
    "вашим",
    "teie",
    "teil",
    "teile",
    "te",
    "sa",
    "sul",
    "du",
    "deg",
    "dere",
    "din",
    "ditt",
}


def classify_spin(
    question: str, cues: Cues, tokens: list[Token] | None = None
) -> tuple[Spin | None, tuple[str, ...]]:
    """SPIN type by the most specific cue that matches; information questions default
    to situation, procedural ones (logistics, rapport, calls to action) to none."""
    best: tuple[int, str, str] | None = None
    order = ("implication", "need_payoff", "problem", "none")
    found = cues.spin_table.found(question)
    for rank, kind in enumerate(order):
        for cue in found.get(kind, ()):
            score = len(cue.rstrip("$")) * 10 - rank
            if best is None or score > best[0]:
                best = (score, kind, cue)
    if best is not None:
        kind, cue = best[1], best[2]
        return (None if kind == "none" else Spin(kind)), (f"{kind}:{cue}",)
    tokens = tokens if tokens is not None else list(tokenize(question))
    content = tokens[_lead(tokens, cues) :]
    if content and any(
        len(p) > 1 and _match(content, 0, p)
        for p in cues.closed_wh.by_first.get(content[0].text, ())
    ):
        return None, ("proposal",)  # "How about eleven?"
    if len(content) <= 2:
        return None, ("short",)  # "Сергей?", "Fair enough?", "Что лучше?"
    if _names_someone(question, content, cues):
        return None, ("identity",)  # "Is that Mrs Gallagher?"
    tag = _ends_with(tokens, cues.tags)
    about_them = tag is not None and any(t.text in SECOND_PERSON for t in tokens[:tag])
    if tag is not None and len(tokens) > 2 and "," in question and not about_them:
        return None, ("tag",)  # "That's crazy, right?": a claim, not a question about them
    return Spin.situation, ("default:situation",)
