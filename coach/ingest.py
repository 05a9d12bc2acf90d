"""Putting calls into the store: who, when and which call it is.

Who made a call and when comes, most specific first, from the command line, from the
transcript's own header (``# rep_name: Anna``, ``# team: North``, ``# date: 2026-11-02``,
or the same keys in JSON), from a file name like ``2026-11-02-anna.wav`` or
``2026-11-02T1030-anna.txt``, and for the date, last, from the file's modification time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from coach.errors import CoachError, Problem
from coach.files import sha256_of
from coach.store import BatchFile, Store, Stored

REP_KEYS = ("rep_name", "rep", "agent", "seller", "manager")
TEAM_KEYS = ("team", "group")
DATE_KEYS = ("date", "recorded", "started", "datetime")

_NAMED = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[T_ ](?P<h>\d{2})[:\-]?(?P<m>\d{2})(?:[:\-]?(?P<s>\d{2}))?)?"
    r"(?:[-_ ]+(?P<rest>.+))?$"
)


@dataclass(frozen=True)
class CallMeta:
    rep: str | None = None
    team: str | None = None
    date: str | None = None  # ISO, to the second


def _first(values: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = values.get(key)
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value).strip()
    return None


def iso_date(text: str, where: str | Path | None = None) -> str:
    """A date or date-time as ISO to the second; a clear error when it is not one."""
    for form in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), form).isoformat(timespec="seconds")
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CoachError(
            f"cannot read {text!r} as a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM", file=where
        ) from None
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def from_name(path: Path) -> CallMeta:
    """Rep and date from a file name like ``2026-11-02-anna-followup.wav``."""
    stem = path.name.split(".")[0]
    found = _NAMED.match(stem)
    if found is None:
        return CallMeta()
    year, month, day = (int(x) for x in found["date"].split("-"))
    try:
        moment = datetime(
            year, month, day, int(found["h"] or 0), int(found["m"] or 0), int(found["s"] or 0)
        )
    except ValueError:
        return CallMeta()
    rest = found["rest"] or ""
    rep = re.split(r"[-_ ]+", rest)[0] if rest else None
    return CallMeta(rep=rep or None, date=moment.isoformat(timespec="seconds"))


def call_meta(
    paths: Path | Iterable[Path] | None,
    declared: Mapping[str, Any] = {},
    *,
    rep: str | None = None,
    team: str | None = None,
    date: str | None = None,
) -> CallMeta:
    """Who and when, from the options, the transcript's header, the file names (the
    original recording or transcript first), and for the date, last, the file's mtime."""
    names = [paths] if isinstance(paths, Path) else list(paths or [])
    named = next((m for m in map(from_name, names) if m.date), CallMeta())
    when = date or _first(declared, DATE_KEYS)
    if when is not None:
        when = iso_date(when, names[0] if names else None)
    elif named.date:
        when = named.date
    else:
        existing = next((p for p in names if p.exists()), None)
        if existing is not None:
            when = datetime.fromtimestamp(existing.stat().st_mtime).isoformat(timespec="seconds")
    return CallMeta(
        rep=rep or _first(declared, REP_KEYS) or named.rep,
        team=team or _first(declared, TEAM_KEYS),
        date=when,
    )


def content_hash(card: Mapping[str, Any]) -> str:
    """What makes two scorecards the same call when there is no recording: who said what,
    when. Punctuation and the scoring itself do not enter it."""
    said = [
        [u.get("speaker"), u.get("start"), u.get("end"), u.get("text")]
        for u in card.get("utterances") or []
    ]
    digest = hashlib.sha256(json.dumps(said, ensure_ascii=False).encode("utf-8"))
    return "transcript:" + digest.hexdigest()


def audio_key(sha256: str) -> str:
    """The store's content hash of a call that has a recording."""
    return f"audio:{sha256}"


def store_scorecard(
    store: Store,
    card: Mapping[str, Any],
    meta: CallMeta,
    *,
    audio: Path | None = None,
    transcript: Mapping[str, Any] | None = None,
    source: str | None = None,
    batch_file: BatchFile | None = None,
) -> Stored:
    """One scored call into the store, keyed by its recording's hash when there is one."""
    audio_hash = card.get("audio_sha256") or (sha256_of(audio) if audio is not None else None)
    key = audio_key(audio_hash) if audio_hash else content_hash(card)
    return store.put_scorecard(
        card,
        content_hash=key,
        audio_hash=audio_hash,
        transcript=transcript,
        rep=meta.rep,
        team=meta.team,
        date=meta.date,
        source=source,
        batch_file=batch_file,
    )


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    records: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.added + self.updated + self.records


def _kind(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if "criteria" in data and "total" in data:
        return "scorecard"
    if "outcome" in data and "script" in data and "started" in data:
        return "record"
    return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CoachError("not UTF-8 text", file=path) from None
    except json.JSONDecodeError as exc:
        raise CoachError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None


def ingest(
    store: Store,
    paths: Iterable[Path],
    *,
    rep: str | None = None,
    team: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Load scorecards (``*.json`` written by ``coach score``/``coach analyse``) and call
    records (``record.json`` written by ``coach call``) from files and folders.

    Other JSON files (transcripts, reminders) are passed over; a broken file is reported
    and the rest still load."""
    report = IngestReport()
    for path in _json_files(paths):
        if progress is not None:
            progress(path)
        try:
            data = _read_json(path)
            kind = _kind(data)
            if kind == "scorecard":
                _ingest_card(store, path, data, report, rep=rep, team=team)
            elif kind == "record":
                store.put_record(
                    data,
                    content_hash="record:" + sha256_of(path),
                    rep=rep,
                    team=team,
                    source=str(path),
                )
                report.records += 1
        except CoachError as exc:
            report.problems += exc.problems
    return report


def _ingest_card(
    store: Store,
    path: Path,
    card: dict[str, Any],
    report: IngestReport,
    *,
    rep: str | None,
    team: str | None,
) -> None:
    transcript = None
    beside = path.with_name(path.name.replace(".scorecard.json", ".transcript.json"))
    if beside != path and beside.is_file():
        transcript = _read_json(beside)
    declared = {**(transcript or {}), **card}
    source = card.get("source")
    names = [Path(str(source)), path] if source else [path]
    meta = call_meta(names, declared, rep=rep, team=team)
    stored = store_scorecard(store, card, meta, transcript=transcript)
    if stored.created:
        report.added += 1
    else:
        report.updated += 1


def _json_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*.json") if p.is_file())
        elif path.is_file():
            out.append(path)
        else:
            raise CoachError("no such file or folder", file=path)
    return out
