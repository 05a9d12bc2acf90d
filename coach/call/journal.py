"""The live call's journal: every action appended as one JSON line and flushed to disk
before the screen confirms it, so `kill -9` loses at most the action being written.

Replaying the journal rebuilds the call exactly (``coach.call.state``); a corrupt line
(a torn write) is skipped with a warning, never a crash.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JOURNAL_VERSION = 1


@dataclass(frozen=True)
class Event:
    """One thing the rep did, at a time (seconds since the epoch)."""

    kind: str
    at: float
    data: dict[str, Any]

    def to_line(self) -> str:
        return json.dumps(
            {"v": JOURNAL_VERSION, "kind": self.kind, "at": round(self.at, 3), **self.data},
            ensure_ascii=False,
            separators=(",", ":"),
        )


class Journal:
    """Append-only, fsynced JSONL file of one call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        torn = _ends_mid_line(path)
        # line-buffered text append; every write is flushed and fsynced below
        self._handle = path.open("a", encoding="utf-8")
        if torn:  # a crash cut the last line: end it, so the next event has a line of its own
            self._handle.write("\n")

    def append(self, kind: str, at: float | None = None, **data: Any) -> Event:
        """Write one event durably; returns it once it is on disk."""
        event = Event(kind, time.time() if at is None else at, data)
        self._handle.write(event.to_line() + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        return event

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _ends_mid_line(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


@dataclass(frozen=True)
class Replay:
    events: tuple[Event, ...]
    warnings: tuple[str, ...]


def read_journal(path: Path) -> Replay:
    """Every readable event of a journal, in order; unreadable lines become warnings."""
    events: list[Event] = []
    warnings: list[str] = []
    if not path.is_file():
        return Replay((), ())
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                item = json.loads(line)
                kind = item.pop("kind")
                at = float(item.pop("at"))
                item.pop("v", None)
            except (ValueError, KeyError, TypeError, AttributeError):
                warnings.append(f"{path}:{number}: unreadable journal line skipped")
                continue
            events.append(Event(str(kind), at, item))
    return Replay(tuple(events), tuple(warnings))


def iter_kinds(replay: Replay, kind: str) -> Iterator[Event]:
    return (e for e in replay.events if e.kind == kind)
