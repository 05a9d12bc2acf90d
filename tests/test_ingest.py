"""Getting calls into the store from the command line: score --store, ingest, calls …"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from coach.errors import CoachError
from coach.ingest import CallMeta, call_meta, content_hash, from_name
from coach.store import Store
from tests.conftest import ROOT, Run

Coach = Callable[..., Run]
EXAMPLES = ROOT / "examples" / "calls"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2026-11-02-anna.wav", CallMeta("anna", None, "2026-11-02T00:00:00")),
        ("2026-11-02T1030-anna-followup.txt", CallMeta("anna", None, "2026-11-02T10:30:00")),
        ("2026-11-02_10-30-15_ирина.json", CallMeta("ирина", None, "2026-11-02T10:30:15")),
        ("2026-11-02.flac", CallMeta(None, None, "2026-11-02T00:00:00")),
        ("2026-13-45-anna.wav", CallMeta()),
        ("call-17.wav", CallMeta()),
    ],
)
def test_rep_and_date_from_file_names(name: str, expected: CallMeta) -> None:
    assert from_name(Path(name)) == expected


def test_options_beat_headers_beat_file_names(tmp_path: Path) -> None:
    path = tmp_path / "2026-11-02-anna.txt"
    path.write_text("x", encoding="utf-8")
    declared = {"rep_name": "Anna K", "date": "03.11.2026", "team": "north"}
    assert call_meta(path, declared) == CallMeta("Anna K", "north", "2026-11-03T00:00:00")
    assert call_meta(path, declared, rep="Boris", date="2026-11-04T09:15") == CallMeta(
        "Boris", "north", "2026-11-04T09:15:00"
    )
    assert call_meta(path, {}) == CallMeta("anna", None, "2026-11-02T00:00:00")


def test_a_bad_date_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CoachError, match=r"x\.txt: cannot read 'soon' as a date"):
        call_meta(tmp_path / "x.txt", {"date": "soon"})


def test_the_same_words_are_the_same_call_whatever_the_score() -> None:
    said = [{"speaker": "rep", "start": 0.0, "end": 1.0, "text": "Hi"}]
    one = content_hash({"total": 10, "utterances": said})
    assert one == content_hash({"total": 90, "rubric": "other", "utterances": said})
    assert one != content_hash({"utterances": [{**said[0], "text": "Hello"}]})


def test_scoring_with_store_twice_keeps_one_call(coach: Coach, tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    good = str(EXAMPLES / "en-car-dealer-good.txt")
    for _ in range(2):
        result = coach("score", good, "--store", "--db", str(db), "--team", "north")
        assert result.code == 0, result.err
        assert "stored 1 call(s)" in result.err
    listed = coach("calls", "list", "--db", str(db), "--format", "json")
    [row] = json.loads(listed.out)
    assert (row["team"], row["script"], row["passed"]) == ("north", "car-dealer-en", True)
    assert row["rep"]  # from the transcript's header


def test_ingest_loads_scorecards_and_records_and_reports_broken_files(
    coach: Coach, tmp_path: Path
) -> None:
    cards = tmp_path / "week"
    result = coach("score", *map(str, sorted(EXAMPLES.glob("*.txt"))), "--format", "json",
                   "--out", str(cards))  # fmt: skip
    assert result.code == 0, result.err
    live = cards / "20261102-100000-car-dealer-en-daniel"
    live.mkdir()
    (live / "record.json").write_text(
        json.dumps(
            {
                "script": "car-dealer-en",
                "language": "en",
                "client": "Daniel",
                "started": "2026-11-02T10:00:00",
                "seconds": 200.0,
                "outcome": {"result": "booked"},
            }
        ),
        encoding="utf-8",
    )
    (cards / "broken.json").write_text('{"total": 3,\n "criteria": [}\n', encoding="utf-8")
    db = tmp_path / "calls.db"
    first = coach("ingest", str(cards), "--db", str(db))
    assert first.code == 1
    assert "broken.json:2: not valid JSON" in first.err and "Traceback" not in first.err
    assert "4 new call(s), 0 updated, 1 call record(s)" in first.out
    (cards / "broken.json").unlink()
    again = coach("ingest", str(cards), "--db", str(db))
    assert again.code == 0 and "0 new call(s), 4 updated" in again.out
    with Store(db) as store:
        calls = store.calls()
        assert len(calls) == 5
        assert [c.outcome for c in calls if c.total is None] == ["booked"]


def test_ingest_of_nothing_is_an_error(coach: Coach, tmp_path: Path) -> None:
    result = coach("ingest", str(tmp_path), "--db", str(tmp_path / "c.db"))
    assert result.code == 1 and "no scorecards or call records" in result.err


@pytest.fixture
def stored(coach: Coach, tmp_path: Path) -> Path:
    db = tmp_path / "calls.db"
    result = coach("score", *map(str, sorted(EXAMPLES.glob("*.txt"))), "--store", "--db", str(db),
                   "--date", "2026-11-02")  # fmt: skip
    assert result.code == 0, result.err
    return db


def test_calls_list_filters_and_formats(coach: Coach, stored: Path) -> None:
    text = coach("calls", "list", "--db", str(stored), "--sort", "score")
    assert text.code == 0
    lines = text.out.splitlines()
    assert lines[0].split()[:5] == ["ID", "DATE", "REP", "SCRIPT", "SCORE"]
    assert len(lines) == 2 + 4
    poor = coach("calls", "list", "--db", str(stored), "--max-score", "50", "--format", "csv")
    rows = poor.out.splitlines()
    assert rows[0].startswith("id,date,rep,team,script")
    assert len(rows) == 3 and all("poor" in r for r in rows[1:])
    none = coach("calls", "list", "--db", str(stored), "--rep", "nobody")
    assert none.out.strip() == "no calls match"


def test_calls_show_delete_and_export(coach: Coach, stored: Path, tmp_path: Path) -> None:
    shown = coach("calls", "show", "1", "--db", str(stored))
    assert shown.code == 0 and "score" in shown.out and "✓" in shown.out
    as_json = json.loads(coach("calls", "show", "1", "--db", str(stored), "--format", "json").out)
    assert as_json["scorecard"]["criteria"] and as_json["call"]["id"] == 1
    out = tmp_path / "export.json"
    exported = coach("calls", "export", "--db", str(stored), "--out", str(out))
    assert exported.code == 0 and len(json.loads(out.read_text(encoding="utf-8"))) == 4
    deleted = coach("calls", "delete", "1", "--db", str(stored), "--yes")
    assert deleted.code == 0
    missing = coach("calls", "show", "1", "--db", str(stored))
    assert missing.code == 1 and "no call 1" in missing.err


def test_a_corrupt_store_is_one_line_exit_1(coach: Coach, tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    db.write_bytes(b"\x00garbage" * 500)
    result = coach("calls", "list", "--db", str(db))
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1 and "calls.db" in result.err


def test_ingest_without_paths_loads_the_calls_made_here(coach: Coach, tmp_path: Path) -> None:
    from coach.call.session import CallSession, new_call_dir
    from coach.config import BUNDLED_TEMPLATES
    from coach.scripts.loader import load_script
    from coach.scripts.render import variable_values

    nothing = coach("ingest", "--db", str(tmp_path / "c.db"))
    assert nothing.code == 1 and "no calls recorded on this machine" in nothing.err
    script = load_script("car-dealer-en", [BUNDLED_TEMPLATES])
    values = variable_values(script, {"rep_name": "Priya"}, use_examples=True)
    session = CallSession(script, values, new_call_dir(script, "Tom"), "Tom")
    session.set_outcome("booked", "2026-12-01 10:00", channel="sms")
    session.finish()
    loaded = coach("ingest", "--db", str(tmp_path / "c.db"))
    assert loaded.code == 0, loaded.err
    assert "1 call record(s)" in loaded.out
    with Store(tmp_path / "c.db") as store:
        [call] = store.calls()
    assert (call.rep, call.outcome, call.script) == ("Priya", "booked", "car-dealer-en")
