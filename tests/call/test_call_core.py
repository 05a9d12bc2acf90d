"""The live call's core, without a screen: journal, state, reminders, objection search."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from coach.call.journal import Journal, read_journal
from coach.call.reminders import plan, to_ics, to_json
from coach.call.search import ObjectionIndex
from coach.call.state import next_stage, replay
from coach.config import BUNDLED_TEMPLATES
from coach.scripts.loader import load_script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def script_en():  # type: ignore[no-untyped-def]
    return load_script("car-dealer-en", [BUNDLED_TEMPLATES])


def test_journal_replays_the_call(tmp_path: Path, script_en) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "call.jsonl"
    first = script_en.stages[0].id
    with Journal(path) as journal:
        journal.append("start", at=100.0, stage=first)
        journal.append("tick", at=101.0, stage=first, question=0)
        journal.append("goto", at=110.0, stage="greeting")
        journal.append("objection", at=111.0, id="price")
        journal.append("notes", at=112.0, text="Wants a red one. Хочет красную.")
        journal.append("goto", at=130.0, stage="small_talk")
    state = replay(script_en, read_journal(path).events)
    assert state.stage == "small_talk"
    assert state.visited == (first, "greeting", "small_talk")
    assert state.seconds == {first: 10.0, "greeting": 20.0}
    assert state.ticked == {(first, 0)}
    assert state.objections == ("price",)
    assert state.notes.endswith("Хочет красную.")
    assert state.time_in_stage(140.0) == pytest.approx(10.0)


def test_untick_and_outcome(tmp_path: Path, script_en) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.jsonl"
    with Journal(path) as journal:
        journal.append("start", at=1.0, stage="greeting")
        journal.append("tick", at=2.0, stage="greeting", question=0)
        journal.append("tick", at=3.0, stage="greeting", question=0, on=False)
        journal.append("outcome", at=4.0, result="booked", when="2026-12-05T10:00", channel="sms")
        journal.append("end", at=5.0)
    state = replay(script_en, read_journal(path).events)
    assert state.ticked == frozenset()
    assert state.outcome is not None and state.outcome.when == "2026-12-05T10:00"
    assert state.ended == 5.0 and state.seconds["greeting"] == 4.0


def test_a_torn_line_is_skipped_with_a_warning(tmp_path: Path, script_en) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.jsonl"
    with Journal(path) as journal:
        journal.append("start", at=1.0, stage="greeting")
        journal.append("notes", at=2.0, text="first")
    with path.open("ab") as handle:
        handle.write(b'{"v":1,"kind":"notes","at":3.0,"text":"half a li')  # kill -9 mid-write
        handle.write(b"\n\xff\xfe garbage\n")
    replayed = read_journal(path)
    assert len(replayed.events) == 2
    assert len(replayed.warnings) == 2 and ":3:" in replayed.warnings[0]
    assert replay(script_en, replayed.events).notes == "first"


def test_after_a_torn_line_the_next_action_is_kept(tmp_path: Path, script_en) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.jsonl"
    with Journal(path) as journal:
        journal.append("start", at=1.0, stage="greeting")
    with path.open("ab") as handle:
        handle.write(b'{"v":1,"kind":"notes","at":2.0,"text":"half')  # kill -9 mid-write
    with Journal(path) as journal:  # the call is resumed and goes on
        journal.append("notes", at=3.0, text="typed after the crash")
    replayed = read_journal(path)
    assert [e.kind for e in replayed.events] == ["start", "notes"]
    assert replay(script_en, replayed.events).notes == "typed after the crash"


WRITER = """
import sys, time
from pathlib import Path
from coach.call.journal import Journal
journal = Journal(Path(sys.argv[1]))
journal.append("start", stage="greeting")
n = 0
while True:
    n += 1
    journal.append("notes", text=f"note {n}")
    print(n, flush=True)
"""


def test_kill_9_loses_at_most_the_last_action(tmp_path: Path, script_en) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "killed.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    confirmed = 0
    deadline = time.time() + 20
    while confirmed < 50 and time.time() < deadline:
        confirmed = int(process.stdout.readline())
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    state = replay(script_en, read_journal(path).events)
    # every note the writer had confirmed (printed after fsync) survived
    assert int(state.notes.split()[-1]) >= confirmed


def test_next_stage_follows_the_script(script_en) -> None:  # type: ignore[no-untyped-def]
    ids = [s.id for s in script_en.stages]
    assert next_stage(script_en, ids[0]) == ids[1]
    close = next(s for s in script_en.stages if s.kind.value == "close")
    assert next_stage(script_en, close.id) in (*ids, "end")


@pytest.mark.parametrize(
    ("booked", "visit", "kinds"),
    [
        ("2026-12-01T11:00", "2026-12-05T10:00", ["after_call", "day_before", "before_visit"]),
        ("2026-12-01T11:00", "2026-12-02T10:00", ["after_call", "before_visit"]),
        ("2026-12-01T11:00", "2026-12-01T12:30", ["after_call"]),
    ],
)
def test_reminder_plan(booked: str, visit: str, kinds: list[str]) -> None:
    reminders = plan(
        datetime.fromisoformat(booked), datetime.fromisoformat(visit), "sms", "See you!", "en"
    )
    assert [r.kind for r in reminders] == kinds
    assert reminders[0].text == "See you!"
    if "day_before" in kinds:
        day_before = next(r for r in reminders if r.kind == "day_before")
        assert day_before.at == datetime.fromisoformat(visit).replace(hour=18, minute=0).replace(
            day=datetime.fromisoformat(visit).day - 1
        )
    if "before_visit" in kinds:
        assert reminders[-1].at == datetime.fromisoformat(visit).replace(hour=8)


def test_reminders_export_ics_and_json() -> None:
    visit = datetime(2026, 12, 5, 10, 0)
    reminders = plan(datetime(2026, 12, 1, 11, 0), visit, "whatsapp", "Ждём вас, Иван!", "ru")
    ics = to_ics(reminders, visit, "Тест-драйв, Иван")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert ics.count("BEGIN:VEVENT") == 4
    assert "DTSTART:20261205T100000" in ics and "Тест-драйв\\, Иван" in ics
    assert to_json(reminders)[1] == {
        "at": "2026-12-04T18:00",
        "kind": "day_before",
        "channel": "whatsapp",
        "text": "Напоминаем: ждём вас завтра в 10:00. Время всё ещё удобно?",
    }


@pytest.mark.parametrize(
    ("query", "category"),
    [
        ("too expensive", "price"),
        ("дорого", "price"),
        ("send me an email", "send_email"),
        ("пришлите на почту", "send_email"),
        ("need to think", "think_about_it"),
        ("подумаю", "think_about_it"),
        ("no time", "no_time"),
        ("pric", "price"),
    ],
)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_objection_search_in_both_languages(query: str, category: str, language: str) -> None:
    script = load_script(f"car-dealer-{language}", [BUNDLED_TEMPLATES])
    hits = ObjectionIndex(script.objections).search(query)
    assert hits, query
    assert category in {h.objection.category for h in hits[:3]}, [h.matched for h in hits]


def test_empty_search_lists_the_library(script_en) -> None:  # type: ignore[no-untyped-def]
    index = ObjectionIndex(script_en.objections)
    assert len(index.search("", limit=100)) == len(script_en.objections)
    assert len({h.objection.id for h in index.search("price")}) == len(index.search("price"))
