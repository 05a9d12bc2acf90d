"""The call store on a real SQLite file: idempotent ingest, filters, live records joined to
recordings, comments and tags that survive reopening, concurrent writers, bad files."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from coach.errors import CoachError
from coach.store import APPLICATION_ID, BEST, CALL, SCHEMA_VERSION, CallFilter, Store


def card(total: float = 70.0, *, rubric: str = "discovery", missed: tuple[str, ...] = ()) -> dict:
    kinds = ["greeting", "situation", "problem", "teaser", "close"]
    return {
        "schema_version": 1,
        "source": "calls/a.txt",
        "language": "en",
        "duration_s": 300.0,
        "script": "car-dealer-en",
        "rubric": rubric,
        "rubric_version": 2,
        "total": total,
        "max_total": 100,
        "pass_mark": 60,
        "passed": total >= 60,
        "criteria": [],
        "stages": [{"id": k, "kind": k, "covered": k not in missed} for k in kinds],
        "metrics": {
            "rep_talk_ratio": 0.48,
            "rep_questions": 9,
            "open_questions": 6,
            "closed_questions": 3,
            "spin_counts": {"situation": 4, "problem": 2, "implication": 1, "need_payoff": 0},
        },
        "utterances": [{"index": 0, "speaker": "rep", "text": "Hi <script>"}],
    }


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "calls.db")


def test_storing_the_same_call_again_updates_it(store: Store) -> None:
    first = store.put_scorecard(card(50), content_hash="h1", rep="anna", date="2026-11-02T10:00:00")
    again = store.put_scorecard(card(80), content_hash="h1", rep="anna", date="2026-11-02T10:00:00")
    assert first.created and not again.created and first.id == again.id
    [call] = store.calls()
    assert call.total == 80 and call.passed is True
    assert store.count() == 1


def test_numbers_are_kept_for_reports(store: Store) -> None:
    store.put_scorecard(card(64, missed=("close",)), content_hash="h", rep="anna", team="north")
    [call] = store.calls()
    assert (call.talk_ratio, call.questions, call.open_questions) == (0.48, 9, 6)
    assert call.spin == {"situation": 4, "problem": 2, "implication": 1, "need_payoff": 0}
    assert call.missed == ("close",) and call.stages["greeting"] is True
    assert store.call(call.id).scorecard == card(64, missed=("close",))  # the whole card, as given


def test_a_second_rubric_is_a_second_scorecard_and_the_latest_one_leads(store: Store) -> None:
    store.put_scorecard(card(50), content_hash="h")
    store.put_scorecard(card(90, rubric="spin-full"), content_hash="h")
    [call] = store.calls()
    assert (call.rubric, call.total) == ("spin-full", 90)
    count = store.db.execute("SELECT count(*) FROM scorecards").fetchone()[0]
    assert count == 2


@pytest.fixture
def team(store: Store) -> Store:
    rows = [
        ("h1", "anna", "north", "2026-11-02T09:00:00", 82, ()),
        ("h2", "anna", "north", "2026-11-09T09:00:00", 55, ("close",)),
        ("h3", "boris", "south", "2026-11-03T15:30:00", 40, ("problem", "close")),
        ("h4", "boris", "south", "2026-11-16T11:00:00", 71, ()),
    ]
    for key, rep, group, date, total, missed in rows:
        store.put_scorecard(
            card(total, missed=missed), content_hash=key, rep=rep, team=group, date=date
        )
    return store


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        (CallFilter(), ["h4", "h2", "h3", "h1"]),
        (CallFilter(rep="anna"), ["h2", "h1"]),
        (CallFilter(team="south"), ["h4", "h3"]),
        (CallFilter(since="2026-11-03", until="2026-11-09"), ["h2", "h3"]),
        (CallFilter(min_score=60), ["h4", "h1"]),
        (CallFilter(max_score=55), ["h2", "h3"]),
        (CallFilter(missed="close"), ["h2", "h3"]),
        (CallFilter(missed="problem"), ["h3"]),
        (CallFilter(sort="score"), ["h1", "h4", "h2", "h3"]),
        (CallFilter(sort="score", descending=False, limit=2), ["h3", "h2"]),
    ],
)
def test_filters_and_sorting(team: Store, which: CallFilter, expected: list[str]) -> None:
    keys = {
        row[0]: row[1] for row in team.db.execute("SELECT id, content_hash FROM calls").fetchall()
    }
    assert [keys[c.id] for c in team.calls(which)] == expected


def test_a_bad_date_in_a_filter_is_a_clear_error(team: Store) -> None:
    with pytest.raises(CoachError, match="YYYY-MM-DD"):
        team.calls(CallFilter(until="next week"))


def record(started: str, result: str = "booked") -> dict[str, Any]:
    return {
        "script": "car-dealer-en",
        "language": "en",
        "client": "Daniel",
        "started": started,
        "ended": started,
        "seconds": 240.0,
        "outcome": {"result": result, "when": "2026-11-05 10:00", "channel": "sms"},
    }


def test_a_live_record_joins_the_recording_of_the_same_call(store: Store) -> None:
    scored = store.put_scorecard(card(), content_hash="audio:x", date="2026-11-02T10:02:00")
    joined = store.put_record(record("2026-11-02T10:00:00"), content_hash="record:r")
    assert joined.id == scored.id and not joined.created
    [call] = store.calls()
    assert call.outcome == "booked" and call.total == 70
    # loading the record again changes nothing
    again = store.put_record(record("2026-11-02T10:00:00"), content_hash="record:r")
    assert again.id == scored.id and store.count() == 1


def test_a_recording_stored_after_its_live_record_joins_it(store: Store) -> None:
    live = store.put_record(record("2026-11-02T10:00:00"), content_hash="record:r")
    scored = store.put_scorecard(card(), content_hash="audio:x", date="2026-11-02T10:05:00")
    assert scored.id == live.id and store.count() == 1
    assert store.calls()[0].outcome == "booked"


def test_calls_far_apart_stay_apart(store: Store) -> None:
    store.put_scorecard(card(), content_hash="audio:x", date="2026-11-02T10:00:00")
    store.put_record(record("2026-11-02T14:00:00"), content_hash="record:r")
    assert store.count() == 2


def test_comments_and_tags_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    with Store(path) as store:
        call = store.put_scorecard(card(), content_hash="h").id
        store.comment(call, "Great question here", utterance=3, author="lead")
        store.comment(call, "Work on the close")
        store.tag(call, BEST, utterance=3)
        assert store.toggle_tag(call, BEST) is True
    with Store(path) as store:
        detail = store.call(call)
        assert [(c.utterance, c.body) for c in detail.comments] == [
            (CALL, "Work on the close"),
            (3, "Great question here"),
        ]
        assert {(t.utterance, t.tag) for t in detail.tags} == {(3, BEST), (CALL, BEST)}
        assert store.calls(CallFilter(tag=BEST))[0].id == call
        assert store.moments(BEST) == [(call, CALL), (call, 3)]
        assert store.toggle_tag(call, BEST) is False


def test_deleting_a_call_takes_everything_of_it(store: Store) -> None:
    call = store.put_scorecard(card(), content_hash="h", transcript={"utterances": []}).id
    store.comment(call, "note")
    store.tag(call, "coach-me")
    store.delete(call)
    for table in ("calls", "scorecards", "transcripts", "comments", "tags"):
        assert store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    with pytest.raises(CoachError, match="no call"):
        store.delete(call)


def test_an_empty_comment_or_unknown_call_is_refused(store: Store) -> None:
    call = store.put_scorecard(card(), content_hash="h").id
    with pytest.raises(CoachError, match="needs some text"):
        store.comment(call, "   ")
    with pytest.raises(CoachError, match="no call 99"):
        store.comment(99, "hello")


def test_schema_is_versioned_marked_and_in_wal_mode(store: Store) -> None:
    assert store.schema_version == SCHEMA_VERSION
    assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_empty_sqlite_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    sqlite3.connect(path).close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_a_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CoachError, match=r"calls\.db: not a readable coach store"):
        Store(path)


def test_a_foreign_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    before = path.read_bytes()
    with pytest.raises(CoachError, match="another program"):
        Store(path)
    assert path.read_bytes() == before


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(CoachError, match="newer than this coach"):
        Store(path)


def _writer(path: str, prefix: str, count: int) -> None:
    with Store(path) as store:
        for n in range(count):
            store.put_scorecard(card(n % 100), content_hash=f"{prefix}{n}", rep=prefix)
            store.comment(store.calls(CallFilter(limit=1))[0].id, f"{prefix} {n}")


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    Store(path).close()
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_writer, args=(str(path), p, 60)) for p in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    with Store(path) as store:
        assert store.count() == 120
        assert store.db.execute("SELECT count(*) FROM comments").fetchone()[0] == 120
        assert {c.rep for c in store.calls()} == {"a", "b"}


def test_stored_text_is_kept_exactly(store: Store) -> None:
    call = store.put_scorecard(card(), content_hash="h").id
    raw = store.db.execute("SELECT body FROM scorecards WHERE call_id = ?", (call,)).fetchone()[0]
    assert json.loads(raw)["utterances"][0]["text"] == "Hi <script>"


@pytest.mark.parametrize(("first", "second"), [("Priya", "priya"), ("Ирина", "ИРИНА  ")])
def test_a_rep_spelled_differently_is_one_rep(store: Store, first: str, second: str) -> None:
    store.put_scorecard(card(), content_hash="a", rep=first)
    store.put_scorecard(card(), content_hash="b", rep=second)
    store.put_record(record("2026-11-02T10:00:00"), content_hash="r", rep=second)
    assert {c.rep for c in store.calls()} == {first} and store.reps() == [first]


def test_the_llm_audit_log_lives_in_the_store(tmp_path: Path) -> None:
    import time

    from coach.llm.audit import record, rows
    from coach.llm.config import LLMSettings, default_log_path
    from coach.store import default_path

    assert default_log_path() == default_path()
    path = tmp_path / "calls.db"
    settings = LLMSettings(base_url="http://127.0.0.1:1/v1", model="m", log=path)
    record(settings, "objection_reply", [{"role": "user", "content": "hi"}], "hello", None,
           time.monotonic(), redacted=False)  # fmt: skip
    with Store(path) as store:  # a fresh file became a proper store, not a foreign database
        assert store.schema_version == SCHEMA_VERSION
        store.put_scorecard(card(), content_hash="h")
    [row] = rows(path)
    assert (row["kind"], row["response"]) == ("objection_reply", "hello")
