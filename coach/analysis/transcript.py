"""Call transcripts: frozen dataclasses and the importers of FORMATS.md §1.

JSON, plain/timestamped text, SRT and VTT all become one ``Transcript`` with the two
roles ``rep`` and ``client``; bad input is a TranscriptError naming file and line.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from coach.errors import Problem, TranscriptError
from coach.text import said_words, words
from coach.validation import suggest
from coach.yamlsource import load_plain, read_text

MAX_TRANSCRIPT_BYTES = 64_000_000
WORDS_PER_SECOND = {"en": 2.5, "ru": 2.2, "et": 2.1, "no": 2.3}
TEXT_SUFFIXES = (".txt", ".md", ".text")
SUBTITLE_SUFFIXES = (".srt", ".vtt")
SUFFIXES = (".json", *TEXT_SUFFIXES, *SUBTITLE_SUFFIXES)


class Role(StrEnum):
    rep = "rep"
    client = "client"


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its time span (from speech recognition)."""

    text: str
    start: float
    end: float
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class Utterance:
    """One turn of one speaker."""

    index: int
    speaker: Role
    text: str
    start: float | None = None
    end: float | None = None
    words: tuple[Word, ...] = ()
    label: str | None = None  # the speaker label as written in the source
    line: int | None = None  # where it starts in the source file
    word_count: int = -1  # filled in from the text

    # Written out, not generated: the compiled build (coach.speedups) runs a dataclass's
    # generated __init__ as Python, three times slower. tests/test_compiled.py checks it
    # against the fields.
    def __init__(
        self,
        index: int,
        speaker: Role,
        text: str,
        start: float | None = None,
        end: float | None = None,
        words: tuple[Word, ...] = (),
        label: str | None = None,
        line: int | None = None,
        word_count: int = -1,
    ) -> None:
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "speaker", speaker)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "line", line)
        object.__setattr__(
            self, "word_count", word_count if word_count >= 0 else len(said_words(text))
        )

    @property
    def duration(self) -> float:
        if self.start is None or self.end is None:
            return 0.0
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class Transcript:
    """A whole call: utterances in order, plus what the source said about it."""

    utterances: tuple[Utterance, ...]
    language: str = "en"
    title: str | None = None
    source: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def timed(self) -> bool:
        """True when every utterance has start and end times."""
        return bool(self.utterances) and all(
            u.start is not None and u.end is not None for u in self.utterances
        )

    @property
    def duration_s(self) -> float | None:
        if not self.timed:
            return None
        start = min(u.start for u in self.utterances if u.start is not None)
        end = max(u.end for u in self.utterances if u.end is not None)
        return max(0.0, end - start)

    def of(self, role: Role) -> list[Utterance]:
        return [u for u in self.utterances if u.speaker is role]


# --- speaker labels -----------------------------------------------------------------
@cache
def _roles() -> dict[str, Role]:
    path = Path(__file__).resolve().parent.parent / "lexicon" / "speakers.yaml"
    data = load_plain(path.read_text(encoding="utf-8"))
    return {str(label).casefold(): Role(role) for role in ("rep", "client") for label in data[role]}


def known_labels() -> list[str]:
    return sorted(_roles())


def role_for(label: str, rep_label: str | None = None) -> Role | None:
    """The role a speaker label stands for; with ``rep_label`` every other label is a client."""
    key = label.strip().strip("[]<>").strip().casefold()
    if rep_label is not None:
        return Role.rep if key == rep_label.strip().casefold() else Role.client
    return _roles().get(key)


# --- building and checking ----------------------------------------------------------
@dataclass
class _Draft:
    label: str
    text: str
    line: int
    start: float | None = None
    end: float | None = None
    words: tuple[Word, ...] = ()

    # Written out, not generated: the compiled build (coach.speedups) runs a dataclass's
    # generated __init__ as Python, three times slower. See Utterance.
    def __init__(
        self,
        label: str,
        text: str,
        line: int,
        start: float | None = None,
        end: float | None = None,
        words: tuple[Word, ...] = (),
    ) -> None:
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "words", words)


def _time(value: str) -> float:
    """``[hh:]mm:ss[.ms|,ms]`` → seconds. Raises ValueError for 00:61 and the like."""
    parts = value.strip().replace(",", ".").split(":")
    seconds = 0.0
    for position, part in enumerate(parts):
        number = float(part)
        if position > 0 and number >= 60:
            raise ValueError(f"{value}: minutes and seconds go up to 59")
        seconds = seconds * 60 + number
    return seconds


def _finish(
    drafts: Sequence[_Draft],
    path: str,
    *,
    rep_label: str | None,
    language: str | None,
    title: str | None,
    meta: dict[str, str],
    infer_ends: bool,
    line_of: Callable[[int], int | None] | None = None,
) -> Transcript:
    """Map labels to roles, fill implied end times, check times; raise with every problem.

    ``line_of`` turns a draft's ``line`` into a file line when that costs work (JSON).
    """
    problems: list[Problem] = []
    where = line_of or (lambda line: line)
    warnings: list[str] = []
    drafts = [d for d in drafts if d.text.strip()]
    if not drafts:
        raise TranscriptError("no utterances: the transcript is empty", file=path)
    unknown: dict[str, int] = {}
    roles: list[Role] = []
    for draft in drafts:
        role = role_for(draft.label, rep_label)
        if role is None:
            unknown.setdefault(draft.label, draft.line)
            role = Role.client
        roles.append(role)
    for label, line in unknown.items():
        problems.append(
            Problem(
                f"unknown speaker '{label}'"
                + suggest(label.casefold(), known_labels())
                + "; name the rep with --rep LABEL (all other labels are then clients)",
                path,
                where(line),
            )
        )
    language = (language or meta.get("language") or "en").strip().lower()
    timed = [d.start is not None for d in drafts]
    if any(timed) and not all(timed):
        missing = sum(1 for t in timed if not t)
        warnings.append(
            f"{missing} of {len(drafts)} utterances have no timestamp: "
            "talk time is measured in words"
        )
    utterances: list[Utterance] = []
    for index, (draft, role) in enumerate(zip(drafts, roles, strict=True)):
        start, end = draft.start, draft.end
        if infer_ends and start is not None and end is None:
            following = drafts[index + 1].start if index + 1 < len(drafts) else None
            if following is not None and following >= start:
                end = following
            else:  # the last one: estimate from its words
                rate = WORDS_PER_SECOND.get(language, 2.4)
                end = start + max(1.0, len(words(draft.text)) / rate)
        if (start is None) != (end is None):
            problems.append(Problem("give both start and end, or neither", path, where(draft.line)))
        elif start is not None and end is not None:
            if start < 0 or end < 0:
                problems.append(Problem(f"negative time ({start:g} s)", path, where(draft.line)))
            elif end < start:
                problems.append(
                    Problem(
                        f"ends before it starts ({end:g} s < {start:g} s)", path, where(draft.line)
                    )
                )
        utterances.append(
            Utterance(
                index=index,
                speaker=role,
                text=single_spaced(draft.text),
                start=start,
                end=end,
                words=draft.words,
                label=draft.label,
                line=None if line_of else draft.line,
            )
        )
    problems += _order_problems(utterances, path, [d.line for d in drafts], where)
    if problems:
        raise TranscriptError(problems=problems[:50] + _more(problems))
    warnings += _quality_warnings(utterances)
    return Transcript(
        utterances=tuple(utterances),
        language=language,
        title=title or meta.get("title"),
        source=path,
        meta=meta,
        warnings=tuple(warnings),
    )


def single_spaced(text: str) -> str:
    """``" ".join(text.split())``: words between single spaces. Most turns already are, and
    saying so costs less than splitting them into words and joining those again: every
    whitespace character but the space is unprintable, so a printable text without a double
    space or a space at either end has nothing to change."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def _more(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= 50:
        return []
    return [Problem(f"… and {len(problems) - 50} more problems", problems[0].file)]


def _order_problems(
    utterances: Sequence[Utterance],
    path: str,
    lines: Sequence[int | None],
    where: Callable[[int], int | None],
) -> list[Problem]:
    problems = []
    previous: Utterance | None = None
    for utterance, line in zip(utterances, lines, strict=True):
        if utterance.start is None:
            continue
        if utterance.start < 0:
            continue  # already reported as a negative time
        if previous is not None and previous.start is not None and utterance.start < previous.start:
            problems.append(
                Problem(
                    f"starts at {utterance.start:g} s, before the previous utterance "
                    f"({previous.start:g} s): are the lines out of order?",
                    path,
                    where(line) if line is not None else None,
                )
            )
        previous = utterance
    return problems


def _quality_warnings(utterances: Sequence[Utterance]) -> list[str]:
    warnings = []
    speakers = {u.speaker for u in utterances}
    if speakers == {Role.rep}:
        warnings.append("only the rep speaks: talk ratio and interactivity mean little")
    elif speakers == {Role.client}:
        warnings.append("no rep utterance: nothing to score for the rep")
    overlaps = 0
    latest_end: float | None = None
    for utterance in utterances:
        if utterance.start is None or utterance.end is None:
            continue
        if latest_end is not None and utterance.start < latest_end - 1.0:
            overlaps += 1
        latest_end = utterance.end if latest_end is None else max(latest_end, utterance.end)
    if overlaps > max(3, len(utterances) // 5):
        warnings.append(f"{overlaps} turns overlap the previous one by over a second")
    return warnings


# --- plain text -----------------------------------------------------------------------
_TS = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_TEXT_LINE = re.compile(
    rf"^\s*(?:\[(?P<start>{_TS})(?:\s*[-–—]\s*(?P<end>{_TS}))?\]\s*)?"
    r"(?P<label>[^\s:\[\]<>][^:\[\]<>]{0,38}?)\s*:(?:\s+|$)(?P<text>.*)$"
)
_BAD_TS = re.compile(r"^\s*\[(?P<inner>[^\]]*)\]")
_HEADER = re.compile(r"^\s*#\s*(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")


def _looks_like_label(label: str, rep_label: str | None) -> bool:
    if role_for(label, None) is not None:
        return True
    if rep_label is not None and label.strip().casefold() == rep_label.strip().casefold():
        return True
    # An unknown label is up to three words with no sentence punctuation: "Anna", "Sales Rep".
    return len(label.split()) <= 3 and not re.search(r"[.,!?;\"'«»()]", label)


def parse_text(text: str, path: str, rep_label: str | None = None) -> Transcript:
    """FORMATS.md §1.1: ``[timestamp] Speaker: text`` lines, '#' headers, continuations."""
    meta: dict[str, str] = {}
    drafts: list[_Draft] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            header = _HEADER.match(line)
            if header and not drafts:
                meta[header["key"].lower()] = header["value"]
            continue
        match = _TEXT_LINE.match(line)
        if match and _looks_like_label(match["label"], rep_label):
            try:
                start = _time(match["start"]) if match["start"] else None
                end = _time(match["end"]) if match["end"] else None
            except ValueError as exc:
                problems.append(Problem(f"impossible time {exc}", path, number))
                continue
            drafts.append(_Draft(match["label"].strip(), match["text"], number, start, end))
            continue
        bad = _BAD_TS.match(line)
        if bad and re.fullmatch(rf"\s*{_TS}(?:\s*[-–—]\s*{_TS})?\s*", bad["inner"]):
            problems.append(
                Problem("no speaker after the timestamp: write '[00:01] Rep: text'", path, number)
            )
            continue
        if bad:
            problems.append(
                Problem(
                    f"cannot read timestamp [{bad['inner']}]: use [mm:ss], [hh:mm:ss], "
                    "[hh:mm:ss.ms] or [start - end], then 'Speaker: text'",
                    path,
                    number,
                )
            )
            continue
        if not drafts:
            problems.append(
                Problem("the first line must start with a speaker, e.g. 'Rep: Hello'", path, number)
            )
            continue
        drafts[-1].text += " " + line  # a continuation of the previous utterance
    if problems:
        raise TranscriptError(problems=problems)
    return _finish(
        drafts,
        path,
        rep_label=rep_label,
        language=meta.get("language"),
        title=meta.get("title"),
        meta=meta,
        infer_ends=True,
    )


# --- subtitles ----------------------------------------------------------------------
_CUE_TIME = re.compile(rf"^\s*(?P<start>{_TS})\s*-->\s*(?P<end>{_TS})")
_VOICE = re.compile(r"^\s*<v(?:\.[\w.-]+)?\s+(?P<label>[^>]+)>(?P<text>.*)$")
_BRACKET = re.compile(r"^\s*[\[(](?P<label>[^\])]{1,40})[\])]\s*(?P<text>.*)$")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _cue_speaker(text: str, rep_label: str | None) -> tuple[str, str] | None:
    voice = _VOICE.match(text)
    if voice:
        return voice["label"].strip(), _TAG.sub("", voice["text"]).strip()
    cleaned = _TAG.sub("", text).strip().lstrip("-–— ").strip()
    bracket = _BRACKET.match(cleaned)
    if bracket:
        return bracket["label"].strip(), bracket["text"].strip()
    plain = _TEXT_LINE.match(cleaned)
    if plain and not plain["start"] and _looks_like_label(plain["label"], rep_label):
        return plain["label"].strip(), plain["text"].strip()
    return None


def parse_subtitles(text: str, path: str, rep_label: str | None = None) -> Transcript:
    """SRT or VTT cues whose text starts with a speaker: ``Rep: …``, ``[CSR] …``, ``<v Rep>``."""
    lines = text.splitlines()
    drafts: list[_Draft] = []
    problems: list[Problem] = []
    meta: dict[str, str] = {}
    index = 0
    while index < len(lines):
        timing = _CUE_TIME.match(lines[index])
        if timing:
            try:
                _time(timing["start"]), _time(timing["end"])
            except ValueError as exc:
                problems.append(Problem(f"impossible time {exc}", path, index + 1))
                index += 1
                continue
        if not timing:
            index += 1
            continue
        cue_line = index + 1
        start, end = _time(timing["start"]), _time(timing["end"])
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index].strip():
            if _CUE_TIME.match(lines[index]):
                # the next cue began without a blank line: its number is not text
                if body and body[-1].isdigit():
                    body.pop()
                break
            body.append(lines[index].strip())
            index += 1
        if not body:
            continue
        speaker = _cue_speaker(body[0], rep_label)
        rest = " ".join(_TAG.sub("", b).strip() for b in body[1:])
        if speaker is None:
            if drafts and drafts[-1].end is not None and start - drafts[-1].end < 1.5:
                drafts[-1].text += " " + " ".join(_TAG.sub("", b) for b in body)
                drafts[-1].end = end
                continue
            problems.append(
                Problem(
                    "cue text must start with a speaker ('Rep: …' or '<v Rep>')", path, cue_line + 1
                )
            )
            continue
        label, first = speaker
        drafts.append(_Draft(label, f"{first} {rest}".strip(), cue_line + 1, start, end))
    if problems:
        raise TranscriptError(problems=problems[:50] + _more(problems))
    if not drafts:
        raise TranscriptError("no subtitle cues found (expected '00:00:01,000 --> …')", file=path)
    return _finish(
        drafts, path, rep_label=rep_label, language=None, title=None, meta=meta, infer_ends=False
    )


# --- JSON ---------------------------------------------------------------------------
def _utterance_lines(text: str) -> list[int]:
    """Line numbers where each item of the top-level "utterances" array starts.

    A small scanner, run only when an error needs a line: json gives no positions.
    """
    lines: list[int] = []
    line = 1
    stack: list[str] = []  # "{" or "[" for each open container
    last_string = ""
    key = ""  # the last key read at the top level
    target = -1  # depth of the "utterances" array once inside it
    expecting = False  # inside the target array, waiting for an item to start
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\n":
            line += 1
        elif char == '"':
            end = index + 1
            while end < length and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            last_string = text[index + 1 : end]
            if expecting and len(stack) == target:
                lines.append(line)
                expecting = False
            line += text.count("\n", index, end)
            index = end
        elif char == ":" and len(stack) == 1:
            key = last_string
        elif char in "{[":
            if expecting and len(stack) == target:
                lines.append(line)
                expecting = False
            stack.append(char)
            if char == "[" and len(stack) == 2 and key == "utterances":
                target = 2
                expecting = True
        elif char in "}]":
            if stack:
                stack.pop()
            if len(stack) < target:
                target = -1
        elif char == "," and len(stack) == target:
            expecting = True
        elif expecting and len(stack) == target and not char.isspace():
            lines.append(line)  # a number, true/false/null: still an item
            expecting = False
        index += 1
    return lines


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"expected seconds as a number, got {value!r}")
    return float(value)


def _json_words(value: Any) -> tuple[Word, ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for item in value:
        if isinstance(item, dict) and {"start", "end"} <= set(item):
            text = item.get("word", item.get("text", ""))
            out.append(
                Word(
                    text=str(text).strip(),
                    start=float(item["start"]),
                    end=float(item["end"]),
                    probability=(
                        float(item["probability"]) if item.get("probability") is not None else None
                    ),
                )
            )
    return tuple(out)


def parse_json(text: str, path: str, rep_label: str | None = None) -> Transcript:
    """FORMATS.md §1.2. Extra keys are ignored; speakers may be roles or labels."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(
            f"invalid JSON: {exc.msg}", file=path, line=exc.lineno, column=exc.colno
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("utterances"), list):
        raise TranscriptError('expected an object with an "utterances" list', file=path, line=1)
    version = data.get("schema_version", 1)
    if type(version) is not int or version != 1:
        raise TranscriptError(
            f"schema_version must be the number 1, got {json.dumps(version)}", file=path, line=1
        )
    language = data.get("language", "en")
    if not isinstance(language, str) or not language.strip():
        raise TranscriptError(
            f'"language" must be a code such as "en", got {json.dumps(language)}', file=path, line=1
        )
    drafts: list[_Draft] = []
    problems: list[tuple[int, str]] = []
    for index, item in enumerate(data["utterances"]):
        if not isinstance(item, dict):
            problems.append((index, "an utterance must be an object"))
            continue
        speaker, content = item.get("speaker"), item.get("text")
        if not isinstance(speaker, str) or not speaker.strip():
            problems.append((index, 'missing "speaker"'))
            continue
        if not isinstance(content, str):
            problems.append((index, 'missing "text"'))
            continue
        try:
            start, end = _number(item.get("start")), _number(item.get("end"))
            spoken = _json_words(item.get("words"))
        except (ValueError, TypeError) as exc:
            problems.append((index, str(exc)))
            continue
        drafts.append(_Draft(speaker, content, index, start, end, spoken))
    if problems:
        lines = _utterance_lines(text)
        raise TranscriptError(
            problems=[
                Problem(f"utterances[{i}]: {message}", path, lines[i] if i < len(lines) else None)
                for i, message in problems[:50]
            ]
        )
    scanned: list[int] = []

    def line_of(index: int) -> int | None:
        # Only pay for the scanner when a line number is reported.
        if not scanned:
            scanned.extend(_utterance_lines(text) or [0])
        return scanned[index] if index < len(scanned) else None

    meta = {k: str(v) for k, v in data.items() if isinstance(v, str | int | float)}
    return _finish(
        drafts,
        path,
        rep_label=rep_label,
        language=language,
        title=data.get("title") if isinstance(data.get("title"), str) else None,
        meta=meta,
        infer_ends=False,
        line_of=line_of,
    )


# --- entry points -------------------------------------------------------------------
def parse_transcript(
    text: str, path: str, *, rep_label: str | None = None, kind: str | None = None
) -> Transcript:
    """Parse transcript text; ``kind`` is a suffix (".json"…) or guessed from content."""
    kind = kind or Path(path).suffix.lower()
    stripped = text.lstrip()
    if not stripped:
        raise TranscriptError("no utterances: the transcript is empty", file=path)
    if kind == ".json" or (kind not in SUFFIXES and stripped.startswith("{")):
        return parse_json(text, path, rep_label)
    if kind in SUBTITLE_SUFFIXES or stripped.startswith("WEBVTT") or _CUE_TIME.search(text):
        return parse_subtitles(text, path, rep_label)
    return parse_text(text, path, rep_label)


def load_transcript(path: Path, *, rep_label: str | None = None) -> Transcript:
    """Read a transcript file of any supported kind. Raises TranscriptError."""
    text, problems = read_text(path, max_bytes=MAX_TRANSCRIPT_BYTES)
    if text is None:
        raise TranscriptError(problems=problems)
    return parse_transcript(text, str(path), rep_label=rep_label)


def with_roles_swapped(transcript: Transcript) -> Transcript:
    """The same call with rep and client exchanged (when a recorder labelled them wrongly)."""
    swap = {Role.rep: Role.client, Role.client: Role.rep}
    return replace(
        transcript,
        utterances=tuple(replace(u, speaker=swap[u.speaker]) for u in transcript.utterances),
    )


def to_json(transcript: Transcript) -> dict[str, Any]:
    """FORMATS.md §1.2, as the analyser writes it (with per-word times when known)."""
    out: dict[str, Any] = {"schema_version": 1, "language": transcript.language}
    if transcript.title:
        out["title"] = transcript.title
    items = []
    for u in transcript.utterances:
        item: dict[str, Any] = {"speaker": u.speaker.value}
        if u.start is not None and u.end is not None:
            item["start"] = round(u.start, 3)
            item["end"] = round(u.end, 3)
        item["text"] = u.text
        if u.words:
            item["words"] = [
                {
                    "word": w.text,
                    "start": round(w.start, 3),
                    "end": round(w.end, 3),
                    "probability": w.probability,
                }
                for w in u.words
            ]
        items.append(item)
    out["utterances"] = items
    return out


def strip_punctuation(text: str) -> str:
    """What speech recognition often gives: no punctuation, no capitals."""
    return " ".join(re.sub(r"[^\w\s'’-]|(?<!\w)[-'’]|[-'’](?!\w)", " ", text).lower().split())
