"""The call store: one SQLite file holding every scored call a team lead reviews.

Calls, their transcripts, scorecards (with the rubric's version), the outcome a rep
recorded with ``coach call``, comments and tags (best practice is the tag ``best``).
WAL mode and ``BEGIN IMMEDIATE`` transactions let several processes write at once;
the schema is versioned (``PRAGMA user_version``) and migrated forward on open.
A call is identified by its content hash (the recording's SHA-256, or the transcript's
when there is no recording): storing the same call again updates it, never duplicates.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from coach.config import user_data_dir
from coach.errors import CoachError

APPLICATION_ID = 0x636F6163  # "coac": marks a file as a coach store
BEST = "best"  # the tag for best practice, on a call or on one utterance
CALL = -1  # the utterance number of a tag or comment on the whole call
BUSY_TIMEOUT_MS = 30_000
MATCH_WINDOW = timedelta(minutes=20)  # a live-call record and a recording of the same call

SPIN_KINDS = ("situation", "problem", "implication", "need_payoff")

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        audio_hash TEXT,
        source TEXT,
        rep TEXT,
        team TEXT,
        date TEXT,
        language TEXT,
        script TEXT,
        duration_s REAL,
        outcome TEXT,
        record TEXT,
        record_hash TEXT UNIQUE,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX calls_date ON calls(date);
    CREATE INDEX calls_rep ON calls(rep, date);
    CREATE TABLE transcripts (
        call_id INTEGER PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
        body TEXT NOT NULL
    );
    CREATE TABLE scorecards (
        id INTEGER PRIMARY KEY,
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        rubric TEXT NOT NULL,
        rubric_version TEXT,
        total REAL NOT NULL,
        max_total REAL NOT NULL,
        passed INTEGER NOT NULL,
        talk_ratio REAL,
        questions INTEGER,
        open_questions INTEGER,
        closed_questions INTEGER,
        situation INTEGER,
        problem INTEGER,
        implication INTEGER,
        need_payoff INTEGER,
        stages TEXT NOT NULL,
        body TEXT NOT NULL,
        created TEXT NOT NULL,
        UNIQUE (call_id, rubric)
    );
    CREATE INDEX scorecards_call ON scorecards(call_id);
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        utterance INTEGER NOT NULL DEFAULT -1,
        author TEXT,
        body TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE INDEX comments_call ON comments(call_id);
    CREATE TABLE tags (
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        utterance INTEGER NOT NULL DEFAULT -1,
        tag TEXT NOT NULL,
        created TEXT NOT NULL,
        PRIMARY KEY (call_id, utterance, tag)
    );
    """,
    # 2: what `coach batch` has done with each input file, so a batch resumes
    """
    CREATE TABLE batch_files (
        sha256 TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        call_id INTEGER REFERENCES calls(id) ON DELETE SET NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        audio_s REAL,
        updated TEXT NOT NULL
    );
    """,
    # 3: the audit log of every prompt sent to an LLM and its answer (coach.llm.audit)
    """
    CREATE TABLE llm_log (
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
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> Path:
    return user_data_dir() / "calls.db"


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


@dataclass(frozen=True)
class CallSummary:
    """One call as a queue row or a report data point (no transcript, no full scorecard)."""

    id: int
    source: str | None
    rep: str | None
    team: str | None
    date: str | None
    language: str | None
    script: str | None
    duration_s: float | None
    outcome: str | None
    rubric: str | None = None
    total: float | None = None
    max_total: float | None = None
    passed: bool | None = None
    talk_ratio: float | None = None
    questions: int | None = None
    open_questions: int | None = None
    closed_questions: int | None = None
    spin: Mapping[str, int] = field(default_factory=dict)
    stages: Mapping[str, bool] = field(default_factory=dict)  # kind → covered
    tags: tuple[str, ...] = ()
    comments: int = 0

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(kind for kind, covered in self.stages.items() if not covered)


@dataclass(frozen=True)
class Comment:
    id: int
    call_id: int
    utterance: int  # CALL (-1) for the call as a whole
    author: str | None
    body: str
    created: str


@dataclass(frozen=True)
class Tag:
    call_id: int
    utterance: int
    tag: str
    created: str


@dataclass(frozen=True)
class CallDetail:
    summary: CallSummary
    scorecard: dict[str, Any] | None
    transcript: dict[str, Any] | None
    record: dict[str, Any] | None
    comments: tuple[Comment, ...]
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class CallFilter:
    """What the queue and the reports select; every field is optional."""

    rep: str | None = None
    team: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive (the whole day)
    min_score: float | None = None
    max_score: float | None = None
    missed: str | None = None  # a stage kind the call did not cover
    tag: str | None = None
    script: str | None = None
    sort: str = "date"  # date | score | rep
    descending: bool = True
    limit: int | None = None


@dataclass(frozen=True)
class BatchFile:
    """One input file of a batch: done (with its call) or failed (with its error)."""

    sha256: str
    path: str
    status: str  # done | failed
    error: str | None = None
    call_id: int | None = None
    attempts: int = 1
    audio_s: float | None = None


@dataclass(frozen=True)
class Stored:
    id: int
    created: bool  # False when the call was already there and was updated


class Store:
    """A coach store file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        if self.path.is_dir():
            raise CoachError("is a directory, not a coach store", file=self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise CoachError(f"cannot open the store: {exc}", file=self.path) from None
        self.db.row_factory = sqlite3.Row
        try:
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise CoachError(
                f"not a readable coach store ({exc}); move it away or pass another --db",
                file=self.path,
            ) from None

    def _prepare(self) -> None:
        db = self.db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        app = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if app != APPLICATION_ID and tables:
            raise CoachError(
                "this SQLite file belongs to another program, not coach; pass another --db",
                file=self.path,
            )
        if version > SCHEMA_VERSION:
            raise CoachError(
                f"the store has schema version {version}, newer than this coach "
                f"({SCHEMA_VERSION}); upgrade coach",
                file=self.path,
            )
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may
            for number in range(version, SCHEMA_VERSION):  # have migrated meanwhile
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so concurrent writers queue, not fail."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # --- writing ------------------------------------------------------------------------
    def put_scorecard(
        self,
        card: Mapping[str, Any],
        *,
        content_hash: str,
        audio_hash: str | None = None,
        transcript: Mapping[str, Any] | None = None,
        rep: str | None = None,
        team: str | None = None,
        date: str | None = None,
        source: str | None = None,
        batch_file: BatchFile | None = None,
    ) -> Stored:
        """Store a scored call (a FORMATS.md §2 scorecard); the same content updates it.

        A call recorded live with ``coach call`` (same script, started within
        MATCH_WINDOW) that has no scorecard yet gets this one instead of a new call."""
        now = _now()
        values = {
            "audio_hash": audio_hash,
            "source": source or card.get("source"),
            "rep": rep,
            "team": team,
            "date": date,
            "language": card.get("language"),
            "script": card.get("script"),
            "duration_s": card.get("duration_s"),
        }
        with self._write() as db:
            values["rep"] = rep = self._known_spelling(db, rep)
            row = db.execute(
                "SELECT id FROM calls WHERE content_hash = ?", (content_hash,)
            ).fetchone()
            if row is None:
                row = self._live_match(db, values["script"], date, rep, want_scorecard=False)
            created = row is None
            if row is None:
                call_id = db.execute(
                    "INSERT INTO calls (content_hash, audio_hash, source, rep, team, date, "
                    "language, script, duration_s, created, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (content_hash, *values.values(), now, now),
                ).lastrowid
                assert call_id is not None
            else:
                call_id = int(row["id"])
                kept = {k: v for k, v in values.items() if v is not None}
                sets = ", ".join(f"{k} = ?" for k in kept)
                db.execute(
                    f"UPDATE calls SET content_hash = ?, {sets}, updated = ? WHERE id = ?",
                    (content_hash, *kept.values(), now, call_id),
                )
            if transcript is not None:
                db.execute(
                    "INSERT INTO transcripts (call_id, body) VALUES (?, ?) "
                    "ON CONFLICT (call_id) DO UPDATE SET body = excluded.body",
                    (call_id, json.dumps(transcript, ensure_ascii=False)),
                )
            self._put_card(db, call_id, card, now)
            if batch_file is not None:  # in the same transaction: done means stored
                self._put_file(db, replace(batch_file, status="done", call_id=call_id), now)
        return Stored(call_id, created)

    def record_failure(self, batch_file: BatchFile) -> None:
        with self._write() as db:
            self._put_file(db, replace(batch_file, status="failed"), _now())

    @staticmethod
    def _put_file(db: sqlite3.Connection, item: BatchFile, now: str) -> None:
        db.execute(
            "INSERT INTO batch_files (sha256, path, status, error, call_id, attempts, audio_s, "
            "updated) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (sha256) DO UPDATE SET "
            "path = excluded.path, status = excluded.status, error = excluded.error, "
            "call_id = excluded.call_id, attempts = batch_files.attempts + 1, "
            "audio_s = excluded.audio_s, updated = excluded.updated",
            (item.sha256, item.path, item.status, item.error, item.call_id, item.audio_s, now),
        )

    def batch_files(self, status: str | None = None) -> dict[str, BatchFile]:
        """What earlier batches did, by the input file's SHA-256."""
        sql = "SELECT * FROM batch_files" + (" WHERE status = ?" if status else "")
        return {
            r["sha256"]: BatchFile(
                r["sha256"],
                r["path"],
                r["status"],
                r["error"],
                r["call_id"],
                r["attempts"],
                r["audio_s"],
            )
            for r in self.db.execute(sql, (status,) if status else ())
        }

    def has_call(self, content_hash: str) -> bool:
        row = self.db.execute("SELECT 1 FROM calls WHERE content_hash = ?", (content_hash,))
        return row.fetchone() is not None

    @staticmethod
    def _put_card(db: sqlite3.Connection, call_id: int, card: Mapping[str, Any], now: str) -> None:
        metrics = card.get("metrics") or {}
        spin = metrics.get("spin_counts") or {}
        stages: dict[str, bool] = {}
        for stage in card.get("stages") or []:
            kind = str(stage.get("kind"))
            stages[kind] = stages.get(kind, False) or bool(stage.get("covered"))
        total = float(card.get("total") or 0.0)
        max_total = float(card.get("max_total") or 100)
        passed = card.get("passed")
        if passed is None:
            passed = total >= float(card.get("pass_mark") or 0)
        db.execute(
            "INSERT INTO scorecards (call_id, rubric, rubric_version, total, max_total, passed, "
            "talk_ratio, questions, open_questions, closed_questions, situation, problem, "
            "implication, need_payoff, stages, body, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (call_id, rubric) DO UPDATE SET rubric_version = excluded.rubric_version, "
            "total = excluded.total, max_total = excluded.max_total, passed = excluded.passed, "
            "talk_ratio = excluded.talk_ratio, questions = excluded.questions, "
            "open_questions = excluded.open_questions, "
            "closed_questions = excluded.closed_questions, situation = excluded.situation, "
            "problem = excluded.problem, implication = excluded.implication, "
            "need_payoff = excluded.need_payoff, stages = excluded.stages, body = excluded.body, "
            "created = excluded.created",
            (
                call_id,
                str(card.get("rubric") or "unknown"),
                None if card.get("rubric_version") is None else str(card["rubric_version"]),
                total,
                max_total,
                int(bool(passed)),
                metrics.get("rep_talk_ratio"),
                metrics.get("rep_questions"),
                metrics.get("open_questions"),
                metrics.get("closed_questions"),
                *(int(spin.get(kind, 0)) for kind in SPIN_KINDS),
                json.dumps(stages),
                json.dumps(card, ensure_ascii=False),
                now,
            ),
        )

    @staticmethod
    def _known_spelling(db: sqlite3.Connection, rep: str | None) -> str | None:
        """ "priya" and "Priya" are one rep: the spelling stored first wins."""
        if rep is None:
            return None
        rep = " ".join(rep.split())
        for (known,) in db.execute("SELECT DISTINCT rep FROM calls WHERE rep IS NOT NULL"):
            if known.casefold() == rep.casefold():
                return str(known)
        return rep

    @staticmethod
    def _live_match(
        db: sqlite3.Connection,
        script: str | None,
        date: str | None,
        rep: str | None,
        *,
        want_scorecard: bool,
    ) -> sqlite3.Row | None:
        """A stored call of the same script at nearly the same time, from the other side
        (a live record for a new scorecard, or a scored call for a new live record)."""
        if not script or not date:
            return None
        try:
            moment = datetime.fromisoformat(date)
        except ValueError:
            return None
        has = "EXISTS" if want_scorecard else "NOT EXISTS"
        side = "c.record IS NULL" if want_scorecard else "c.record IS NOT NULL"
        rows = db.execute(
            f"SELECT c.id, c.date, c.rep FROM calls c WHERE c.script = ? AND {side} "
            f"AND {has} (SELECT 1 FROM scorecards s WHERE s.call_id = c.id) "
            "AND c.date BETWEEN ? AND ?",
            (
                script,
                (moment - MATCH_WINDOW).isoformat(timespec="seconds"),
                (moment + MATCH_WINDOW).isoformat(timespec="seconds"),
            ),
        ).fetchall()
        rows = [r for r in rows if not rep or not r["rep"] or r["rep"] == rep]
        if not rows:
            return None
        found: sqlite3.Row = min(
            rows, key=lambda r: abs(datetime.fromisoformat(r["date"]) - moment)
        )
        return found

    def put_record(
        self,
        record: Mapping[str, Any],
        *,
        content_hash: str,
        rep: str | None = None,
        team: str | None = None,
        source: str | None = None,
    ) -> Stored:
        """Store what ``coach call`` saved (record.json): its outcome joins the recording's
        scorecard when one of the same script and time is stored, else it is a call of
        its own."""
        outcome = record.get("outcome") or {}
        result = outcome.get("result") if isinstance(outcome, Mapping) else None
        date = record.get("started")
        script = record.get("script")
        rep = rep or record.get("rep")
        body = json.dumps(record, ensure_ascii=False)
        now = _now()
        with self._write() as db:
            rep = self._known_spelling(db, rep)
            row = db.execute(
                "SELECT id FROM calls WHERE record_hash = ?", (content_hash,)
            ).fetchone()
            if row is None:
                row = self._live_match(db, script, date, rep, want_scorecard=True)
            created = row is None
            if row is None:
                call_id = db.execute(
                    "INSERT INTO calls (content_hash, record_hash, source, rep, team, date, "
                    "language, script, duration_s, outcome, record, created, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        content_hash,
                        content_hash,
                        source,
                        rep,
                        team,
                        date,
                        record.get("language"),
                        script,
                        record.get("seconds"),
                        result,
                        body,
                        now,
                        now,
                    ),
                ).lastrowid
                assert call_id is not None
            else:
                call_id = int(row["id"])
                db.execute(
                    "UPDATE calls SET outcome = ?, record = ?, record_hash = ?, "
                    "rep = coalesce(rep, ?), team = coalesce(team, ?), updated = ? WHERE id = ?",
                    (result, body, content_hash, rep, team, now, call_id),
                )
        return Stored(call_id, created)

    def delete(self, call_id: int) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM calls WHERE id = ?", (call_id,)).rowcount == 0:
                raise CoachError(f"no call {call_id} in the store", file=self.path)

    def comment(
        self, call_id: int, body: str, *, utterance: int = CALL, author: str | None = None
    ) -> int:
        if not body.strip():
            raise CoachError("a comment needs some text")
        with self._write() as db:
            self._require(db, call_id)
            new = db.execute(
                "INSERT INTO comments (call_id, utterance, author, body, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (call_id, utterance, author, body.strip(), _now()),
            ).lastrowid
        assert new is not None
        return new

    def delete_comment(self, comment_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM comments WHERE id = ?", (comment_id,))

    def tag(self, call_id: int, tag: str, *, utterance: int = CALL) -> None:
        tag = tag.strip().lower()
        if not tag:
            raise CoachError("a tag needs a name")
        with self._write() as db:
            self._require(db, call_id)
            db.execute(
                "INSERT OR IGNORE INTO tags (call_id, utterance, tag, created) VALUES (?, ?, ?, ?)",
                (call_id, utterance, tag, _now()),
            )

    def untag(self, call_id: int, tag: str, *, utterance: int = CALL) -> None:
        with self._write() as db:
            db.execute(
                "DELETE FROM tags WHERE call_id = ? AND utterance = ? AND tag = ?",
                (call_id, utterance, tag.strip().lower()),
            )

    def toggle_tag(self, call_id: int, tag: str, *, utterance: int = CALL) -> bool:
        """Add the tag, or take it away when it is there; True when it is there now."""
        there = any(t.tag == tag and t.utterance == utterance for t in self.tags(call_id))
        if there:
            self.untag(call_id, tag, utterance=utterance)
        else:
            self.tag(call_id, tag, utterance=utterance)
        return not there

    def _require(self, db: sqlite3.Connection, call_id: int) -> None:
        if db.execute("SELECT 1 FROM calls WHERE id = ?", (call_id,)).fetchone() is None:
            raise CoachError(f"no call {call_id} in the store", file=self.path)

    # --- reading ------------------------------------------------------------------------
    def calls(self, which: CallFilter | None = None) -> list[CallSummary]:
        """Calls with their latest scorecard's numbers, filtered and sorted."""
        which = which or CallFilter()
        where, args = _where(which)
        order = {
            "date": "c.date",
            "score": "s.total",
            "rep": "c.rep",
            "talk": "s.talk_ratio",
        }.get(which.sort)
        if order is None:
            raise CoachError(f"cannot sort by {which.sort!r}; use date, score, rep or talk")
        direction = "DESC" if which.descending else "ASC"
        sql = self._summary_sql(where) + (
            f" ORDER BY {order} IS NULL, {order} {direction}, c.id {direction}"
        )
        if which.limit is not None:
            sql += f" LIMIT {int(which.limit)}"
        return [_summary(row) for row in self.db.execute(sql, args)]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM calls").fetchone()[0])

    def call(self, call_id: int) -> CallDetail:
        row = self.db.execute(self._summary_sql("WHERE c.id = ?"), (call_id,)).fetchone()
        if row is None:
            raise CoachError(f"no call {call_id} in the store", file=self.path)
        card = self.db.execute(
            "SELECT body FROM scorecards WHERE call_id = ? ORDER BY created DESC, id DESC LIMIT 1",
            (call_id,),
        ).fetchone()
        transcript = self.db.execute(
            "SELECT body FROM transcripts WHERE call_id = ?", (call_id,)
        ).fetchone()
        record = self.db.execute("SELECT record FROM calls WHERE id = ?", (call_id,)).fetchone()
        return CallDetail(
            summary=_summary(row),
            scorecard=json.loads(card["body"]) if card else None,
            transcript=json.loads(transcript["body"]) if transcript else None,
            record=json.loads(record["record"]) if record and record["record"] else None,
            comments=self.comments(call_id),
            tags=self.tags(call_id),
        )

    def comments(self, call_id: int) -> tuple[Comment, ...]:
        return tuple(
            Comment(r["id"], r["call_id"], r["utterance"], r["author"], r["body"], r["created"])
            for r in self.db.execute(
                "SELECT * FROM comments WHERE call_id = ? ORDER BY utterance, id", (call_id,)
            )
        )

    def tags(self, call_id: int) -> tuple[Tag, ...]:
        return tuple(
            Tag(r["call_id"], r["utterance"], r["tag"], r["created"])
            for r in self.db.execute(
                "SELECT * FROM tags WHERE call_id = ? ORDER BY utterance, tag", (call_id,)
            )
        )

    def moments(self, tag: str = BEST, which: CallFilter | None = None) -> list[tuple[int, int]]:
        """(call id, utterance) of every tagged moment, for the best-practice list."""
        rows = self.db.execute(
            "SELECT call_id, utterance FROM tags WHERE tag = ? ORDER BY call_id, utterance", (tag,)
        ).fetchall()
        if which is None:
            return [(r[0], r[1]) for r in rows]
        ids = {s.id for s in self.calls(which)}
        return [(r[0], r[1]) for r in rows if r[0] in ids]

    def reps(self) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT rep FROM calls WHERE rep IS NOT NULL ORDER BY rep"
            )
        ]

    @staticmethod
    def _summary_sql(where: str) -> str:
        return (
            "SELECT c.id, c.source, c.rep, c.team, c.date, c.language, c.script, c.duration_s, "
            "c.outcome, s.rubric, s.total, s.max_total, s.passed, s.talk_ratio, s.questions, "
            "s.open_questions, s.closed_questions, s.situation, s.problem, s.implication, "
            "s.need_payoff, s.stages, "
            "(SELECT group_concat(DISTINCT t.tag) FROM tags t WHERE t.call_id = c.id) AS tags, "
            "(SELECT count(*) FROM comments m WHERE m.call_id = c.id) AS comments "
            "FROM calls c LEFT JOIN scorecards s ON s.id = "
            "(SELECT id FROM scorecards WHERE call_id = c.id ORDER BY created DESC, id DESC "
            f"LIMIT 1) {where}"
        )


def _where(which: CallFilter) -> tuple[str, list[Any]]:
    """The SQL condition of a filter: one clause for each field that is set."""
    conditions: list[tuple[Any, str]] = [
        (which.rep or None, "c.rep = ?"),
        (which.team or None, "c.team = ?"),
        (which.script or None, "c.script = ?"),
        (which.since or None, "c.date >= ?"),
        (_day_after(which.until) if which.until else None, "c.date < ?"),
        (which.min_score, "s.total >= ?"),
        (which.max_score, "s.total <= ?"),
        (which.missed or None, "json_extract(s.stages, '$.' || ?) = 0"),
        (
            which.tag.lower() if which.tag else None,
            "EXISTS (SELECT 1 FROM tags t WHERE t.call_id = c.id AND t.tag = ?)",
        ),
    ]
    used = [(value, sql) for value, sql in conditions if value is not None]
    where = ("WHERE " + " AND ".join(sql for _, sql in used)) if used else ""
    return where, [value for value, _ in used]


def _day_after(day: str) -> str:
    try:
        moment = datetime.fromisoformat(day)
    except ValueError:
        raise CoachError(f"cannot read {day!r} as a date; use YYYY-MM-DD") from None
    if len(day) <= 10:
        moment += timedelta(days=1)
    return moment.isoformat(timespec="seconds")


def _summary(row: sqlite3.Row) -> CallSummary:
    has_card = row["total"] is not None
    return CallSummary(
        id=row["id"],
        source=row["source"],
        rep=row["rep"],
        team=row["team"],
        date=row["date"],
        language=row["language"],
        script=row["script"],
        duration_s=row["duration_s"],
        outcome=row["outcome"],
        rubric=row["rubric"],
        total=row["total"],
        max_total=row["max_total"],
        passed=bool(row["passed"]) if has_card else None,
        talk_ratio=row["talk_ratio"],
        questions=row["questions"],
        open_questions=row["open_questions"],
        closed_questions=row["closed_questions"],
        spin={k: row[k] or 0 for k in SPIN_KINDS} if has_card else {},
        stages=json.loads(row["stages"]) if row["stages"] else {},
        tags=tuple(sorted(row["tags"].split(","))) if row["tags"] else (),
        comments=row["comments"],
    )
