"""The optional audit log: every prompt (as sent) and every answer, one row each in the
call store (``llm_log``), so a lead can check what left the machine.

Off unless `log` is set; a log that cannot be written never breaks the feature that asked.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from coach.errors import CoachError
from coach.llm.config import LLMSettings
from coach.store import Store


def connect(path: Path) -> Store:
    """The store the log lives in (its schema has the llm_log table)."""
    return Store(path)


def record(
    settings: LLMSettings,
    kind: str,
    messages: Sequence[dict[str, str]],
    response: str | None,
    error: str | None,
    started: float,
    redacted: bool,
) -> None:
    if settings.log is None:
        return
    row = (
        datetime.now(UTC).isoformat(timespec="milliseconds"),
        settings.base_url,
        settings.model,
        kind,
        json.dumps(list(messages), ensure_ascii=False),
        response,
        error,
        round((time.monotonic() - started) * 1000),
        int(redacted),
    )
    try:
        with connect(settings.log) as store:
            store.db.execute(
                "INSERT INTO llm_log (at, base_url, model, kind, messages, response, error,"
                " latency_ms, redacted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
    except (sqlite3.Error, OSError, CoachError):
        pass  # auditing is best effort; the answer still matters more


def rows(path: Path) -> list[dict[str, object]]:
    """All log rows, oldest first."""
    with connect(path) as store:
        return [dict(r) for r in store.db.execute("SELECT * FROM llm_log ORDER BY id")]
