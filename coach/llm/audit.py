"""The optional audit log: every prompt (as sent) and every answer, one SQLite row each.

Off unless `log` is set; a log that cannot be written never breaks the feature that asked.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from coach.llm.config import LLMSettings

SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    base_url TEXT NOT NULL,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    messages TEXT NOT NULL,
    response TEXT,
    error TEXT,
    latency_ms INTEGER NOT NULL,
    redacted INTEGER NOT NULL
)
"""


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=5)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(SCHEMA)
    return connection


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
        connection = connect(settings.log)
        with connection:
            connection.execute(
                "INSERT INTO llm_log (at, base_url, model, kind, messages, response, error,"
                " latency_ms, redacted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        connection.close()
    except (sqlite3.Error, OSError):
        pass  # auditing is best effort; the answer still matters more


def rows(path: Path) -> list[dict[str, object]]:
    """All log rows, oldest first."""
    connection = connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in connection.execute("SELECT * FROM llm_log ORDER BY id")]
    finally:
        connection.close()
